/** Which conversation this tab shows right now (alerts for it are skipped while the tab is in front). */
export const openConversation: { id: string | null } = { id: null };
