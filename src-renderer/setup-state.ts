/**
 * The first-run setup wizard's progress, kept in localStorage so a closed window resumes where
 * it was: the step shown, the cameras it made, what each step ended with, and whether the
 * person has finished (or left) setup — then the app no longer opens on it.
 */
import { create } from 'zustand';

export const SETUP_STEPS = [
  { id: 'cameras', title: 'Cameras' },
  { id: 'snapshot', title: 'First snapshot' },
  { id: 'detection', title: 'Detection' },
  { id: 'risk', title: 'Risk scoring' },
  { id: 'notifications', title: 'Notifications' },
  { id: 'finish', title: 'Finish' },
] as const;

export type SetupStepId = (typeof SETUP_STEPS)[number]['id'];

/** How a step ended, in a few words for the summary (absent: not visited yet). */
export type SetupOutcomes = Partial<Record<SetupStepId, string>>;

export interface SetupState {
  step: SetupStepId;
  /** Cameras made in the wizard (their first snapshot is waited for). */
  cameraIds: string[];
  outcomes: SetupOutcomes;
  /** Finished or left: the app opens on its usual page. */
  dismissed: boolean;
}

export const SETUP_STATE_KEY = 'hsi.setup.v1';
/** Separate from the rest so tests (and a reset) can set it alone. */
export const SETUP_DISMISSED_KEY = 'hsi.setup.dismissed';

const FRESH: Omit<SetupState, 'dismissed'> = { step: 'cameras', cameraIds: [], outcomes: {} };

function isStep(value: unknown): value is SetupStepId {
  return SETUP_STEPS.some((s) => s.id === value);
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** What was saved, or a fresh start when nothing (or something unreadable) was. */
export function loadSetup(store: Storage | null = storage()): SetupState {
  const dismissed = store?.getItem(SETUP_DISMISSED_KEY) === '1';
  try {
    const raw = JSON.parse(store?.getItem(SETUP_STATE_KEY) ?? 'null') as Partial<SetupState> | null;
    if (!raw || typeof raw !== 'object') return { ...FRESH, dismissed };
    return {
      step: isStep(raw.step) ? raw.step : FRESH.step,
      cameraIds: Array.isArray(raw.cameraIds)
        ? raw.cameraIds.filter((id): id is string => typeof id === 'string')
        : [],
      outcomes: raw.outcomes && typeof raw.outcomes === 'object' ? raw.outcomes : {},
      dismissed,
    };
  } catch {
    return { ...FRESH, dismissed };
  }
}

function saveSetup(state: SetupState): void {
  const store = storage();
  if (!store) return;
  try {
    const { step, cameraIds, outcomes } = state;
    store.setItem(SETUP_STATE_KEY, JSON.stringify({ step, cameraIds, outcomes }));
    if (state.dismissed) store.setItem(SETUP_DISMISSED_KEY, '1');
    else store.removeItem(SETUP_DISMISSED_KEY);
  } catch {
    // Storage full or blocked: the wizard still works, it just will not resume.
  }
}

export const useSetup = create<SetupState>()(() => loadSetup());
useSetup.subscribe(saveSetup);

export function goToStep(step: SetupStepId): void {
  useSetup.setState({ step });
}

/** The step after `step` (Finish stays). */
export function nextStep(step: SetupStepId): SetupStepId {
  const index = SETUP_STEPS.findIndex((s) => s.id === step);
  return SETUP_STEPS[Math.min(index + 1, SETUP_STEPS.length - 1)]!.id;
}

/** Records how a step ended and moves on to the next. */
export function completeStep(step: SetupStepId, outcome: string): void {
  useSetup.setState((s) => ({
    outcomes: { ...s.outcomes, [step]: outcome },
    step: nextStep(step),
  }));
}

export function recordOutcome(step: SetupStepId, outcome: string): void {
  useSetup.setState((s) => ({ outcomes: { ...s.outcomes, [step]: outcome } }));
}

export function addSetupCamera(id: string): void {
  useSetup.setState((s) => ({
    cameraIds: s.cameraIds.includes(id) ? s.cameraIds : [...s.cameraIds, id],
  }));
}

export function dismissSetup(): void {
  useSetup.setState({ dismissed: true });
}

/** "Run setup again": from the first step, with what is set up kept in the app itself. */
export function restartSetup(): void {
  useSetup.setState({ ...FRESH, dismissed: false });
}

/**
 * A window opened without an address (and so put on the dashboard) shows setup instead while
 * there is no camera and setup is not done — unless the person has gone elsewhere meanwhile.
 */
export function shouldOpenSetup(hash: string, cameraCount: number, dismissed: boolean): boolean {
  return !dismissed && cameraCount === 0 && /^#?\/?(dashboard)?$/.test(hash);
}
