import { connection } from "@prismatic-io/spectral";

/** A user's personal API token, sent in the x-api-token header (never in a URL). */
export const apiToken = connection({
  key: "apiToken",
  display: {
    label: "API Token",
    description:
      "Connect with a Pipedrive user's personal API token (Personal preferences > API in Pipedrive) and your company domain.",
  },
  inputs: {
    apiToken: {
      label: "API Token",
      type: "password",
      required: true,
      shown: true,
      comments:
        "The personal API token of the Pipedrive user the integration acts as. It is sent in the x-api-token header.",
    },
    companyDomain: {
      label: "Company Domain",
      type: "string",
      required: true,
      shown: true,
      comments:
        "Your Pipedrive company domain: the part before .pipedrive.com in your browser's address bar, e.g. acme or acme.pipedrive.com.",
      example: "acme",
      placeholder: "acme",
    },
  },
});
