/** Labels from Pipedrive's names: "is_deal_rot_enabled" -> "Is Deal Rot Enabled", "pinned_to_deal_flag" -> "Pinned To Deal". */
const ACRONYMS: Record<string, string> = {
  id: "ID",
  ids: "IDs",
  url: "URL",
  api: "API",
  uuid: "UUID",
  cc: "CC",
  http: "HTTP",
  bcc: "BCC",
};

export const humanize = (name: string): string =>
  name
    .replace(/_flag$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[_.\s]+/)
    .filter(Boolean)
    .map((word) => ACRONYMS[word.toLowerCase()] ?? word[0].toUpperCase() + word.slice(1))
    .join(" ");
