import { create } from 'zustand';
import type { AlertRule } from '../../src-shared/domain';
import { api, errorMessage } from '../api';

export interface AlertRulesStore {
  rules: AlertRule[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: () => Promise<void>;
  upsert: (rule: AlertRule) => void;
  remove: (id: string) => void;
}

function byName(a: AlertRule, b: AlertRule): number {
  return (
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id)
  );
}

let loadSeq = 0;

/** The alert rules (sorted by name), shared by the rules editor and the alert list. */
export const useAlertRules = create<AlertRulesStore>()((set) => ({
  rules: [],
  status: 'idle',
  error: null,
  async load() {
    const seq = ++loadSeq;
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading' }));
    try {
      const rules = await api.invoke('alertRules.list', {});
      if (seq !== loadSeq) return;
      set({ rules: [...rules].sort(byName), status: 'ready', error: null });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ status: 'error', error: errorMessage(err) });
    }
  },
  upsert(rule) {
    set((s) => ({ rules: [...s.rules.filter((r) => r.id !== rule.id), rule].sort(byName) }));
  },
  remove(id) {
    set((s) => ({ rules: s.rules.filter((r) => r.id !== id) }));
  },
}));
