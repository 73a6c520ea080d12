/** Event ids seen by a flow, newest last; bounded so trigger state never grows without limit. */
export const SEEN_EVENTS_LIMIT = 500;

export function rememberEvent(
  seen: readonly string[] | undefined,
  eventId: string,
): { duplicate: boolean; seen: string[] } {
  const list = Array.isArray(seen) ? seen : [];
  if (list.includes(eventId)) return { duplicate: true, seen: [...list] };
  const next = [...list, eventId];
  return {
    duplicate: false,
    seen: next.length > SEEN_EVENTS_LIMIT ? next.slice(next.length - SEEN_EVENTS_LIMIT) : next,
  };
}
