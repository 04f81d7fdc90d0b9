// Sandboxed preload: exposes only window.hsi.invoke / window.hsi.on.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { HsiBridge, PushMessage } from '../../src-shared/contract';

const IPC_INVOKE = 'hsi:invoke';
const IPC_PUSH = 'hsi:push';

const bridge: HsiBridge = {
  invoke: (channel, input) => ipcRenderer.invoke(IPC_INVOKE, channel, input),
  on(type, listener) {
    const handler = (_event: IpcRendererEvent, message: PushMessage) => {
      if (message.type === type) listener(message.data);
    };
    ipcRenderer.on(IPC_PUSH, handler);
    return () => ipcRenderer.removeListener(IPC_PUSH, handler);
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('hsi', bridge);
