import { homepage } from "../package.json";
import actions from "./actions";
import connections from "./connections";
import dataSources from "./dataSources";
import { toClearError } from "./errorHook";
import { eagerTable, lazyComponent } from "./lazy";
import triggers from "./triggers";

export default lazyComponent({
  key: "pipedrive",
  display: {
    label: "Pipedrive",
    description:
      "Manage deals, persons, organizations, leads, activities and more in Pipedrive CRM, on Pipedrive's v2 API, with OAuth 2.0 or an API token.",
    iconPath: "icon.png",
    category: "Application Connectors",
  },
  // The generated reference in this repository: package.json's homepage is the one setting to change
  // when the repository moves, and docs/actions.md is regenerated with every change (npm run docs).
  documentationUrl: `${homepage}/blob/main/docs/actions.md`,
  hooks: { error: toClearError },
  actions,
  triggers: eagerTable(triggers),
  dataSources: eagerTable(dataSources),
  connections,
});
