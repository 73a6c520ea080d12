import { webhookTriggers } from "./catalogue";
import { pollChangesTrigger } from "./poll";

export default { ...webhookTriggers, pollChangesTrigger };
