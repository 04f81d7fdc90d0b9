import type { HsiBridge } from '../src-shared/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode (`hsi serve`). */
    hsi?: HsiBridge;
  }
}
