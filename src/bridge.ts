/** The install bridge's entry point (pipedrive-prismatic-component/bridge): the bridge and the Prismatic adapter. */
export * from "./marketplace";
export * from "./marketplace/prismatic";
