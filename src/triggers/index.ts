import { webhookTriggers } from "./catalogue";

export default { ...webhookTriggers };
