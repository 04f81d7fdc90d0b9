/**
 * The Prompts page's own state: the template picked (null: the live one) and the event the
 * playground runs on, kept while the person moves between the page's parts.
 */
import { create } from 'zustand';

export interface PromptsView {
  templateId: string | null;
  eventId: string;
  selectTemplate: (id: string) => void;
  setEventId: (id: string) => void;
}

export const usePromptsView = create<PromptsView>()((set) => ({
  templateId: null,
  eventId: '',
  selectTemplate: (templateId) => set({ templateId }),
  setEventId: (eventId) => set({ eventId }),
}));
