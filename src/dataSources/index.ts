import { choiceInput } from "../inputs";
import { picklist } from "./picklist";

interface DealSummary {
  id: number;
  title: string;
  status: string;
}

export const selectDeal = picklist<DealSummary>({
  label: "Select Deal",
  description: 'Select a deal from a dropdown menu, labelled "Deal Title - status".',
  version: "v2",
  path: "/deals",
  pagination: "cursor",
  inputs: {
    status: choiceInput({
      label: "Status",
      choices: ["open", "won", "lost"].map((value) => ({ label: value[0].toUpperCase() + value.slice(1), value })),
      comments: "Only list deals with this status. Empty lists open, won and lost deals.",
    }),
  },
  toQuery: (values) => ({ status: values.status as string | undefined }),
  toElement: (deal) => ({ key: String(deal.id), label: `${deal.title} - ${deal.status}`, id: deal.id }),
  example: [
    { key: "1", label: "Acme - 50 seats - open" },
    { key: "2", label: "Globex renewal - won" },
  ],
});

interface NamedRecord {
  id: number;
  name: string;
}

export const selectPerson = picklist<NamedRecord & { emails?: { value: string; primary?: boolean }[] }>({
  label: "Select Person",
  description: "Select a person from a dropdown menu, labelled with the person's name (and primary email when names repeat).",
  version: "v2",
  path: "/persons",
  pagination: "cursor",
  toElement: (person) => {
    const email = person.emails?.find((e) => e.primary)?.value ?? person.emails?.[0]?.value;
    return { key: String(person.id), label: person.name || email || `Person ${person.id}`, id: email || person.id };
  },
  example: [
    { key: "1", label: "Ada Lovelace" },
    { key: "2", label: "Grace Hopper" },
  ],
});

export const selectOrganization = picklist<NamedRecord>({
  label: "Select Organization",
  description: "Select an organization from a dropdown menu, labelled with its name.",
  version: "v2",
  path: "/organizations",
  pagination: "cursor",
  toElement: (org) => ({ key: String(org.id), label: org.name || `Organization ${org.id}`, id: org.id }),
  example: [
    { key: "1", label: "Acme Inc." },
    { key: "2", label: "Globex" },
  ],
});

export default { selectDeal, selectPerson, selectOrganization };
