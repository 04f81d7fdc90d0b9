import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SharedTensorParams } from './v2-protocol';
import { V2ProtocolError } from './v2-protocol';

/**
 * The Open Inference Protocol's system shared-memory extension (as NVIDIA Triton defines it):
 * when client and server share a computer, tensors pass through a POSIX shared-memory object
 * (a file under /dev/shm on Linux) instead of the HTTP body, and requests carry only JSON.
 * A client registers a region (`POST /v2/systemsharedmemory/region/{name}/register` with
 * `{key, offset, byte_size}`); a tensor then names it in its parameters
 * (`shared_memory_region`, `shared_memory_offset`, `shared_memory_byte_size`).
 */
export const SHM_EXTENSION = 'system_shared_memory';
const SHM_DIR = '/dev/shm';
/** Our own regions' file names: the process id, so files a crashed process left are found. */
const OWN_PREFIX = 'hsi-v2-';
/**
 * Keys the server accepts: objects this app's clients create (one name, with or without the
 * leading slash Triton's clients write). Any other object of this user in /dev/shm (a
 * browser's, a sound server's) could otherwise be read in or written over by any process
 * that reaches the port.
 */
const KEY = /^\/?hsi-v2-[A-Za-z0-9._-]{1,200}$/;
const MAX_REGIONS = 64;

/** Whether this platform has POSIX shared memory as files (Linux). */
export function sharedMemoryAvailable(): boolean {
  try {
    return process.platform === 'linux' && fs.statSync(SHM_DIR).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a URL's host is this computer (shared memory needs both ends on one machine). */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The shared-memory parameters of a tensor, if it has them (both or neither required). */
export function sharedParams(parameters: unknown, name: string): SharedTensorParams | undefined {
  const p = (parameters ?? {}) as Partial<SharedTensorParams>;
  const region = p.shared_memory_region;
  const size = p.shared_memory_byte_size;
  if (region === undefined && size === undefined) return undefined;
  if (typeof region !== 'string' || !Number.isInteger(size) || size! < 0) {
    throw new V2ProtocolError(
      `${name}: shared_memory_region and shared_memory_byte_size go together`,
    );
  }
  const offset = p.shared_memory_offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new V2ProtocolError(`${name}: shared_memory_offset ${String(offset)} is not valid`);
  }
  return {
    shared_memory_region: region,
    shared_memory_offset: offset,
    shared_memory_byte_size: size!,
  };
}

/** Bytes in memory of their own (not a slice of a shared pool), not zeroed. */
const ownBytes = (n: number) => Buffer.allocUnsafeSlow(n);

interface Region {
  key: string;
  offset: number;
  byteSize: number;
  fd: number;
}

/**
 * The server's side: the regions clients registered. Only objects that are regular files
 * owned by this process's user are opened (no links, nothing of another user's), and the
 * server only offers the extension to clients on this computer.
 */
export class SharedMemoryRegions {
  private readonly regions = new Map<string, Region>();

  register(name: string, body: unknown): void {
    const b = (body ?? {}) as { key?: unknown; offset?: unknown; byte_size?: unknown };
    this.forgetRemoved();
    if (this.regions.has(name)) throw new V2ProtocolError(`region ${name} is already registered`);
    if (this.regions.size >= MAX_REGIONS) {
      throw new V2ProtocolError(`at most ${MAX_REGIONS} regions may be registered`);
    }
    if (typeof b.key !== 'string' || !KEY.test(b.key) || /^\/?\.\.?$/.test(b.key)) {
      throw new V2ProtocolError(
        'key must name one shared-memory object this app made, like "/hsi-v2-<name>"',
      );
    }
    const offset = b.offset ?? 0;
    if (!Number.isInteger(offset) || (offset as number) < 0) {
      throw new V2ProtocolError('offset must be a whole number of bytes');
    }
    if (!Number.isInteger(b.byte_size) || (b.byte_size as number) <= 0) {
      throw new V2ProtocolError('byte_size must be a positive whole number of bytes');
    }
    const file = path.join(SHM_DIR, b.key.replace(/^\//, ''));
    let fd: number;
    try {
      // O_NOFOLLOW: a link in /dev/shm is refused rather than followed.
      fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
    } catch {
      throw new V2ProtocolError(`shared-memory object ${b.key} cannot be opened`);
    }
    const st = fs.fstatSync(fd);
    const problem = !st.isFile()
      ? 'is not a shared-memory object'
      : process.getuid && st.uid !== process.getuid()
        ? 'belongs to another user'
        : st.size < (offset as number) + (b.byte_size as number)
          ? `is ${st.size} bytes, smaller than offset + byte_size`
          : null;
    if (problem) {
      fs.closeSync(fd);
      throw new V2ProtocolError(`shared-memory object ${b.key} ${problem}`);
    }
    this.regions.set(name, {
      key: b.key,
      offset: offset as number,
      byteSize: b.byte_size as number,
      fd,
    });
  }

  /**
   * Regions whose object was removed (a client that crashed, swept by the next one): their
   * memory is only held by this server's descriptor, so they are let go.
   */
  private forgetRemoved(): void {
    for (const [n, r] of this.regions) {
      if (fs.fstatSync(r.fd).nlink === 0) this.unregister(n);
    }
  }

  /** One region, or every region when no name is given. */
  unregister(name?: string): void {
    for (const [n, r] of this.regions) {
      if (name !== undefined && n !== name) continue;
      fs.closeSync(r.fd);
      this.regions.delete(n);
    }
  }

  status(name?: string): { name: string; key: string; offset: number; byte_size: number }[] {
    const list = [...this.regions]
      .filter(([n]) => name === undefined || n === name)
      .map(([n, r]) => ({ name: n, key: r.key, offset: r.offset, byte_size: r.byteSize }));
    if (name !== undefined && list.length === 0) {
      throw new V2ProtocolError(`region ${name} is not registered`);
    }
    return list;
  }

  private place(p: SharedTensorParams, bytes: number): Region & { at: number } {
    const r = this.regions.get(p.shared_memory_region);
    if (!r) throw new V2ProtocolError(`region ${p.shared_memory_region} is not registered`);
    const offset = p.shared_memory_offset ?? 0;
    if (bytes > p.shared_memory_byte_size || offset + p.shared_memory_byte_size > r.byteSize) {
      throw new V2ProtocolError(
        `${bytes} bytes at offset ${offset} do not fit region ${p.shared_memory_region} (${r.byteSize} bytes, ${p.shared_memory_byte_size} given)`,
      );
    }
    return { ...r, at: r.offset + offset };
  }

  /** A tensor of `bytes` bytes from its region (in memory of its own). */
  read(p: SharedTensorParams, bytes: number): Buffer {
    if (p.shared_memory_byte_size !== bytes) {
      throw new V2ProtocolError(
        `shared_memory_byte_size ${p.shared_memory_byte_size} is not the ${bytes} bytes of the tensor's shape`,
      );
    }
    const r = this.place(p, bytes);
    const out = ownBytes(bytes);
    if (fs.readSync(r.fd, out, 0, bytes, r.at) !== bytes) {
      throw new V2ProtocolError(`region ${p.shared_memory_region} ends before the tensor does`);
    }
    return out;
  }

  /** An output's bytes into the region its request named. */
  write(p: SharedTensorParams, data: Buffer): void {
    const r = this.place(p, data.length);
    fs.writeSync(r.fd, data, 0, data.length, r.at);
  }

  close(): void {
    this.unregister();
  }
}

/** Where one request's tensors lie in its slot: the input first, then each output. */
export interface SlotLayout {
  inputBytes: number;
  outputs: { name: string; bytes: number }[];
}

/**
 * The client's side: one shared-memory object per request that may be in flight at once,
 * created here, registered with one server, and removed on close. Files a crashed process
 * left behind are removed when the next one starts using shared memory.
 */
export class SharedMemorySlots {
  private readonly free: number[] = [];
  private readonly slots: { name: string; key: string; file: string; fd: number }[] = [];
  readonly size: number;

  private constructor(
    readonly layout: SlotLayout,
    count: number,
  ) {
    this.size = layout.inputBytes + layout.outputs.reduce((a, o) => a + o.bytes, 0);
    const id = `${OWN_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      for (let i = 0; i < count; i += 1) {
        const name = `${id}-${i}`;
        const file = path.join(SHM_DIR, name);
        const fd = fs.openSync(file, 'wx+', 0o600);
        this.slots.push({ name, key: `/${name}`, file, fd });
        fs.ftruncateSync(fd, this.size);
        this.free.push(i);
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Creates the objects (after removing those of processes that are gone). */
  static create(layout: SlotLayout, count: number): SharedMemorySlots {
    sweepStale();
    return new SharedMemorySlots(layout, count);
  }

  /** The registration bodies, one per slot. */
  registrations(): { name: string; body: { key: string; offset: number; byte_size: number } }[] {
    return this.slots.map((s) => ({
      name: s.name,
      body: { key: s.key, offset: 0, byte_size: this.size },
    }));
  }

  /** A free slot, or undefined when all are in use (the request then goes in its body). */
  take(): number | undefined {
    return this.free.pop();
  }

  give(slot: number): void {
    this.free.push(slot);
  }

  /** The input's bytes into the slot; the parameters for the input and for each output. */
  writeInput(
    slot: number,
    data: Buffer,
  ): { input: SharedTensorParams; outputs: Record<string, SharedTensorParams> } {
    const s = this.slots[slot]!;
    fs.writeSync(s.fd, data, 0, data.length, 0);
    let at = this.layout.inputBytes;
    const outputs: Record<string, SharedTensorParams> = {};
    for (const o of this.layout.outputs) {
      outputs[o.name] = {
        shared_memory_region: s.name,
        shared_memory_offset: at,
        shared_memory_byte_size: o.bytes,
      };
      at += o.bytes;
    }
    return {
      input: { shared_memory_region: s.name, shared_memory_byte_size: data.length },
      outputs,
    };
  }

  /** An output's bytes from the slot (in memory of their own). */
  read(slot: number, p: SharedTensorParams, bytes: number): Buffer {
    if (bytes > p.shared_memory_byte_size) {
      throw new V2ProtocolError(
        `${bytes} bytes do not fit the ${p.shared_memory_byte_size} set aside`,
      );
    }
    const out = ownBytes(bytes);
    if (fs.readSync(this.slots[slot]!.fd, out, 0, bytes, p.shared_memory_offset ?? 0) !== bytes) {
      throw new V2ProtocolError('the shared-memory object ends before the output does');
    }
    return out;
  }

  /** Whether the objects were closed (their registrations dropped): a slot is unusable. */
  closed = false;

  close(): void {
    this.closed = true;
    for (const s of this.slots.splice(0)) {
      fs.closeSync(s.fd);
      fs.rmSync(s.file, { force: true });
    }
    this.free.length = 0;
  }
}

/** Removes shared-memory objects this app created in processes that no longer run. */
function sweepStale(): void {
  let names: string[];
  try {
    names = fs.readdirSync(SHM_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^hsi-v2-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    try {
      fs.rmSync(path.join(SHM_DIR, name), { force: true });
    } catch {
      // Another user's: not ours to remove.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
