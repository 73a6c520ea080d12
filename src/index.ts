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
  documentationUrl: "https://developers.pipedrive.com/docs/api/v1",
  hooks: { error: toClearError },
  actions,
  triggers: eagerTable(triggers),
  dataSources: eagerTable(dataSources),
  connections,
});
