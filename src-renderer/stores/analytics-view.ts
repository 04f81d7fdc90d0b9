/**
 * The Analytics page's own state: the range and the cameras picked (none: all), kept while
 * the person moves around the app.
 */
import { create } from 'zustand';
import type { RangeChoice } from '../analytics-data';

export interface AnalyticsView {
  range: RangeChoice;
  cameraIds: string[];
  setRange: (range: RangeChoice) => void;
  setCameraIds: (ids: string[]) => void;
}

export const useAnalyticsView = create<AnalyticsView>()((set) => ({
  range: { preset: 30 },
  cameraIds: [],
  setRange: (range) => set({ range }),
  setCameraIds: (cameraIds) => set({ cameraIds }),
}));
