import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { AddressInfo, Server, Socket } from 'node:net';
import path from 'node:path';
import type { EventEmitter } from 'node:events';
import { FileSystem, FtpSrv } from 'ftp-srv';
import type { FtpConnection } from 'ftp-srv';
import { isInside } from '../common/paths';
import type { Logger } from '../system';
import type { LockoutOptions } from './ftp-lockout';
import { LoginLockout } from './ftp-lockout';

export interface FtpAccount {
  cameraId: string;
  /** Absolute folder this camera's uploads are jailed to. */
  folder: string;
}

export interface FtpServerOptions {
  /** Bind address, e.g. '127.0.0.1'. */
  host: string;
  /** 0 = pick a free port. */
  port: number;
  /** Passive data ports; default lets the OS pick an ephemeral port per transfer. */
  passivePorts?: { min: number; max: number };
  authenticate(user: string, password: string): Promise<FtpAccount | null>;
  /** Called once per finished upload with the absolute path of the file written. */
  onUpload(account: FtpAccount, filePath: string): void;
  /** While true (intake paused for backpressure) uploads are refused with a temporary failure (450) so cameras retry later. */
  isPaused(): boolean;
  logger: Logger;
  /**
   * Brute-force lockout: failed logins per user and per address (default 5 in 15 minutes
   * lock either for 15 minutes; see ftp-lockout.ts).
   */
  lockout?: Partial<LockoutOptions>;
}

export interface FtpIngestServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Reply to STOR/APPE/STOU while paused: 4xx tells cameras to retry instead of dropping the image. */
export const PAUSED_REPLY_CODE = 450;
export const PAUSED_REPLY_MESSAGE = 'Intake paused, try again later';

/**
 * Cameras only need to upload (and sometimes create dated folders); everything that removes,
 * renames or reads back files is refused (ftp-srv answers 502). SITE would expose CHMOD.
 */
export const REFUSED_COMMANDS = ['DELE', 'RMD', 'XRMD', 'RNFR', 'RNTO', 'SITE', 'RETR'] as const;

const UPLOAD_COMMANDS = new Set(['STOR', 'APPE', 'STOU']);
/** A camera that lost power never sends FIN; drop control connections idle this long. */
const IDLE_TIMEOUT_MS = 5 * 60_000;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** The ftp-srv internals this module relies on (not in its published typings). */
interface ParsedCommand {
  directive: string;
  arg: string | null;
}
interface ConnectionInternals {
  authenticated?: boolean;
  commandSocket: Socket;
  connector: { end(): void; socket?: Socket | null };
  commands: {
    parse(message: string): ParsedCommand;
    handle(command: string | ParsedCommand): unknown;
  };
}
interface ServerInternals {
  server: Server;
  connections: Record<string, ConnectionInternals>;
}

/** Reply to a login while its user or address is locked out. */
export const LOCKED_OUT_MESSAGE = 'Too many failed logins, try again later';

/** ftp-srv replies 550 with the message of whatever a FileSystem method throws. */
class RefusedError extends Error {
  readonly code = 550;
}

/**
 * ftp-srv's FileSystem rooted at the camera folder. Client paths are normalised as absolute
 * POSIX paths first (so `..` clamps at `/`), then mapped under the root and checked again,
 * lexically and then through links: a link in the folder (or one in place of the file) that
 * leads out of it is refused for every command (listing, changing into, writing through).
 */
class JailedFileSystem extends FileSystem {
  private readonly realRoot: string;

  constructor(
    connection: FtpConnection,
    root: string,
    private readonly events: {
      /** The data connection ended cleanly (FIN) and every byte is on disk. */
      stored(fsPath: string): void;
      /** The data connection died without an end; the partial file is left as is. */
      aborted(fsPath: string): void;
    },
  ) {
    super(connection, { root, cwd: '/' });
    // The folder was just created; should it vanish, nothing inside it resolves anyway.
    try {
      this.realRoot = fs.realpathSync(root);
    } catch {
      this.realRoot = path.resolve(root);
    }
  }

  _resolvePath(requested = '.'): { clientPath: string; fsPath: string } {
    const unixPath = requested.replace(/\\/g, '/');
    const clientPath = path.posix.isAbsolute(unixPath)
      ? path.posix.normalize(unixPath)
      : path.posix.join('/', this.cwd, unixPath);
    const fsPath = path.resolve(this.root, `.${clientPath}`);
    if (!isInside(this.root, fsPath) || this.leadsOut(fsPath)) {
      throw new RefusedError('Path outside the upload folder');
    }
    return { clientPath, fsPath };
  }

  /** Whether the path, or the nearest part of it that exists, is a link out of the root. */
  private leadsOut(fsPath: string): boolean {
    for (let probe = fsPath; ; probe = path.dirname(probe)) {
      let link: boolean;
      try {
        link = fs.lstatSync(probe).isSymbolicLink();
      } catch {
        if (path.dirname(probe) === probe) return true;
        continue; // not there yet: its parent decides
      }
      let real: string;
      try {
        real = fs.realpathSync(probe);
      } catch {
        return link; // a dangling link: writing would create its target, wherever it is
      }
      return !isInside(this.realRoot, real);
    }
  }

  /**
   * ftp-srv's write() plus: a missing folder is a clean 550 up front; its cleanup unlink can no
   * longer become an unhandled rejection; the file is closed when the data connection dies
   * without a clean end (otherwise the descriptor leaks forever); and completion is reported
   * from the file stream, which does not race the control connection closing.
   */
  override async write(
    fileName: string,
    { append = false, start }: { append?: boolean; start?: number } = {},
  ): Promise<{ stream: fs.WriteStream; clientPath: string }> {
    const { fsPath, clientPath } = this._resolvePath(fileName);
    const folder = await fsp.stat(path.dirname(fsPath)).catch(() => null);
    if (!folder?.isDirectory()) throw new RefusedError('No such folder');
    // stor.js calls write() once the data connection is established.
    const dataSocket = (this.connection as unknown as ConnectionInternals).connector.socket;
    const stream = fs.createWriteStream(fsPath, { flags: append ? 'a+' : 'w+', start });
    stream.once('error', () => {
      fsp.unlink(fsPath).catch(() => undefined);
    });
    // stor.js ends the file by emitting 'close' on it when the data socket ends.
    stream.once('close', () => stream.end());
    // stor.js only ends the file on the data socket's 'end' (FIN), so 'finish' means the
    // same as its STOR success event.
    stream.once('finish', () => this.events.stored(fsPath));
    dataSocket?.once('close', () => {
      // Ended: the normal path. Destroyed: a write/socket error, handled (and unlinked) by ftp-srv.
      if (stream.writableEnded || stream.destroyed) return;
      stream.destroy();
      this.events.aborted(fsPath);
    });
    return { stream, clientPath };
  }

  // Defence in depth: these are blacklisted at the command level too.
  override delete(): Promise<never> {
    return Promise.reject(new RefusedError('Deleting is not allowed'));
  }

  override rename(): Promise<never> {
    return Promise.reject(new RefusedError('Renaming is not allowed'));
  }

  override chmod(): Promise<never> {
    return Promise.reject(new RefusedError('Changing modes is not allowed'));
  }
}

type LogMethod = (...args: unknown[]) => void;
interface BunyanLike {
  child(bindings: Record<string, unknown>): BunyanLike;
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
}

const PASS_LINE = /(^|[\r\n])\s*PASS\s/i;

/** ftp-srv traces raw command lines (`command.raw` keeps "PASS secret"), so scrub them. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return PASS_LINE.test(value) ? 'PASS ********' : value;
  if (depth > 4 || value === null || typeof value !== 'object' || value instanceof Error) {
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  // Only plain records; sockets and other class instances are passed through untouched.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, scrub(item, depth + 1)]),
  );
}

/**
 * Bunyan-shaped facade over pino for ftp-srv. Its own messages (every client mistake is an
 * "error" there) are demoted to debug; the events that matter are logged by this module.
 */
function bunyanAdapter(logger: Logger): BunyanLike {
  const forward =
    (level: 'trace' | 'debug'): LogMethod =>
    (...args) => {
      if (!logger.isLevelEnabled(level)) return;
      const [first, ...rest] = args.map((arg) => scrub(arg));
      // pino would spread an array's indices into fields; name it instead.
      const head = Array.isArray(first) ? { lines: first } : first;
      Reflect.apply(logger[level], logger, [head, ...rest]);
    };
  const debug = forward('debug');
  return {
    child: (bindings) => bunyanAdapter(logger.child(bindings)),
    trace: forward('trace'),
    debug,
    info: debug,
    warn: debug,
    error: debug,
    fatal: debug,
  };
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/** ftp-srv installs signal handlers that call process.exit(); shutdown belongs to the app. */
function withoutSignalHandlers<T>(create: () => T): T {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    return create();
  } finally {
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
      }
    }
  }
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function stripMappedIpv4(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export async function startFtpServer(options: FtpServerOptions): Promise<FtpIngestServer> {
  const log = options.logger.child({ module: 'ftp' });
  const passive = options.passivePorts ?? { min: 0, max: 0 };
  if (
    !Number.isInteger(passive.min) ||
    !Number.isInteger(passive.max) ||
    passive.min < 0 ||
    passive.max > 65535 ||
    passive.min > passive.max
  ) {
    throw new Error(`Invalid passive port range ${passive.min}-${passive.max}`);
  }

  const lockout = new LoginLockout(options.lockout);
  const serverRef: { current?: ServerInternals } = {};
  // PASV must advertise an address the camera can reach: the bind address, or for a wildcard
  // bind the local address the camera's control connection arrived on.
  const pasvUrl = WILDCARD_HOSTS.has(options.host)
    ? (clientIp: string): string => {
        const connections = Object.values(serverRef.current?.connections ?? {});
        const match = connections.find((c) => c.commandSocket.remoteAddress === clientIp);
        return stripMappedIpv4(match?.commandSocket.localAddress ?? '127.0.0.1');
      }
    : options.host;

  const ftp = withoutSignalHandlers(
    () =>
      new FtpSrv({
        url: `ftp://${urlHost(options.host)}:${options.port}`,
        // The typings say string, but ftp-srv 4.6 also calls a function with the client IP.
        pasv_url: pasvUrl as string,
        // 0/0 makes ftp-srv listen on port 0 for each transfer, i.e. the OS picks.
        pasv_min: passive.min,
        pasv_max: passive.max,
        anonymous: false,
        greeting: 'Home Security Intelligence camera intake',
        blacklist: [...REFUSED_COMMANDS],
        log: bunyanAdapter(log),
      }),
  );
  const internals = ftp as unknown as ServerInternals;
  serverRef.current = internals;

  // The published typings only know 'login', 'disconnect' and 'client-error'.
  const events = ftp as unknown as EventEmitter;
  events.on('server-error', ({ error }: { error: Error }) => {
    log.error({ err: error }, 'FTP server error');
  });
  ftp.on('client-error', ({ context, error }) => {
    log.debug({ context, err: error }, 'FTP client socket error');
  });

  events.on('connect', ({ connection }: { connection: FtpConnection }) => {
    const conn = connection as unknown as ConnectionInternals;
    conn.commandSocket.setTimeout(IDLE_TIMEOUT_MS);
    // stor.js answers every failure with 550 (permanent), so backpressure is decided before
    // the command reaches it.
    const commands = conn.commands;
    const handle = commands.handle.bind(commands);
    commands.handle = (message) => {
      const command = typeof message === 'string' ? commands.parse(message) : message;
      if (UPLOAD_COMMANDS.has(command.directive) && conn.authenticated && options.isPaused()) {
        // Drop the data connection the client opened for this transfer; nothing is written.
        conn.connector.end();
        log.debug({ directive: command.directive }, 'FTP upload refused: intake paused');
        return connection.reply(PAUSED_REPLY_CODE, PAUSED_REPLY_MESSAGE);
      }
      return handle(command);
    };
  });

  ftp.on('login', ({ connection, username, password }, resolve, reject) => {
    // The password only goes to authenticate(); it is never logged.
    void (async () => {
      const ip = connection.ip;
      const user = username.slice(0, 64);
      // Counted case-blind, so changing the case of a name buys no extra guesses.
      const userKey = user.toLowerCase();
      const lock = lockout.locked(userKey, ip);
      if (lock) {
        log.debug({ user, ip, scope: lock.scope }, 'FTP login refused: locked out');
        reject(new Error(LOCKED_OUT_MESSAGE));
        return;
      }
      const decided = lockout.attempt(userKey, ip);
      let account: FtpAccount | null;
      try {
        account = await options.authenticate(username, password);
      } catch (error) {
        decided();
        log.error({ err: error, user, ip }, 'FTP authentication failed unexpectedly');
        reject(new Error('Authentication failed'));
        return;
      }
      decided();
      if (!account) {
        log.warn({ user, ip }, 'FTP login rejected');
        for (const started of lockout.failed(userKey, ip)) {
          log.warn(
            {
              user,
              ip,
              scope: started.scope,
              failures: started.failures,
              lockedUntil: new Date(started.until).toISOString(),
            },
            started.scope === 'user'
              ? 'FTP logins locked for this user after repeated failures'
              : 'FTP logins locked for this address after repeated failures',
          );
        }
        reject(new Error('Invalid user name or password'));
        return;
      }
      lockout.succeeded(userKey, ip);
      if (!path.isAbsolute(account.folder)) {
        log.error({ cameraId: account.cameraId }, 'FTP account folder is not absolute');
        reject(new Error('Account misconfigured'));
        return;
      }
      const root = path.resolve(account.folder);
      try {
        await fsp.mkdir(root, { recursive: true });
      } catch (error) {
        log.error({ err: error, cameraId: account.cameraId }, 'FTP upload folder unusable');
        reject(new Error('Upload folder unavailable'));
        return;
      }
      const cameraLog = log.child({ cameraId: account.cameraId });
      const loggedIn = account;
      const report = (fsPath: string): void => {
        const filePath = path.resolve(fsPath);
        if (!isInside(root, filePath)) {
          cameraLog.error({ filePath }, 'FTP upload landed outside the camera folder');
          return;
        }
        cameraLog.debug({ filePath }, 'FTP upload finished');
        try {
          options.onUpload(loggedIn, filePath);
        } catch (callbackError) {
          cameraLog.error({ err: callbackError, filePath }, 'FTP upload handler threw');
        }
      };
      const aborted = (fsPath: string): void => {
        cameraLog.warn({ filePath: fsPath }, 'FTP upload aborted mid-transfer');
      };
      connection.on('STOR', (error: Error | null) => {
        if (error) cameraLog.warn({ err: error }, 'FTP upload failed');
      });
      // Cameras often reconnect for every snapshot, so this is debug, not info.
      cameraLog.debug({ ip }, 'FTP camera logged in');
      resolve({ fs: new JailedFileSystem(connection, root, { stored: report, aborted }) });
    })();
  });

  await ftp.listen();
  const address = internals.server.address() as AddressInfo;
  log.info({ host: options.host, port: address.port }, 'FTP intake listening');

  let closing: Promise<void> | undefined;
  return {
    host: options.host,
    port: address.port,
    close() {
      closing ??= (async () => {
        // Disconnects every client (their passive listeners close with them), then the listener.
        await ftp.close();
        log.info('FTP intake closed');
      })();
      return closing;
    },
  };
}
