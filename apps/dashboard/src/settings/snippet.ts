/** The HTML a site owner pastes to get the widget; the inbox id is a UUID, so it needs no escaping. */
export function embedSnippet(inboxId: string): string {
  return `<script src="${location.origin}/widget.js" data-inbox="${inboxId}" async></script>`;
}
