import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ConnectionRegistry } from '../common/connections';
import type { PushBus } from '../common/push-bus';
import type { Router } from '../bridge/router';
import { isTrustedSender } from './window';

export const IPC_INVOKE = 'hsi:invoke';
export const IPC_PUSH = 'hsi:push';

/** ipcMain.handle for the one invoke channel, with the sender checked on every call. */
export function registerIpc(ipcMain: IpcMain, router: Router): () => void {
  ipcMain.handle(
    IPC_INVOKE,
    async (event: IpcMainInvokeEvent, channel: unknown, input: unknown) => {
      const frame = event.senderFrame;
      if (!isTrustedSender(frame?.url, frame !== null && frame === frame?.top)) {
        return { ok: false, error: { code: 'unauthorized', message: 'Untrusted sender' } };
      }
      if (typeof channel !== 'string') {
        return {
          ok: false,
          error: { code: 'unknown_channel', message: 'Channel must be a string' },
        };
      }
      return router.invoke(channel, input, { transport: 'ipc' });
    },
  );
  return () => ipcMain.removeHandler(IPC_INVOKE);
}

/** Forwards push events to a window until it is destroyed (counted among the connections). */
export function forwardPushes(
  bus: PushBus,
  contents: WebContents,
  connections?: ConnectionRegistry,
): () => void {
  const handle = connections?.add('window', contents.getURL() || null);
  const unsubscribe = bus.subscribe((message) => {
    if (contents.isDestroyed()) return handle?.dropped();
    contents.send(IPC_PUSH, message);
    handle?.sent();
  });
  const stop = () => {
    unsubscribe();
    handle?.close();
  };
  contents.once('destroyed', stop);
  return stop;
}
