/**
 * The Prismatic side of an install: find or create the customer (by external id) and its instance of
 * the integration, with the Pipedrive connection set, and deploy it. It sends the GraphQL operations
 * Prismatic's own CLI sends (@prismatic-io/prism 10.4.0: listCustomers, createCustomer, listInstances,
 * createInstance, updateInstance, deployInstance, listInstanceConfigVariables, enableInstance,
 * disableInstance), with the same documents and variables, to `<PRISMATIC_URL>/api` with the same
 * headers. prism sets config variables only when it creates an instance, so the connection is set on
 * creation; an existing instance is moved to the given integration version and redeployed, its
 * connection left as the customer set it.
 *
 * `PrismaticAdapter.platform()` turns it into the install bridge's `PlatformApi`. One document is not
 * prism's: `listLabelledInstances` is prism's `listInstances` with the instances' `labels` added (prism
 * never reads instance labels). That field is in Prismatic's published schema (Instance.labels,
 * `[String!]`, https://prismatic.io/docs/api/schema/object/Instance/), but no Prismatic client we could
 * read sends it; see docs/marketplace.md, section 5.
 */

import type { PlatformApi, PlatformCustomer, PlatformInstance } from "./types";

export const PRISMATIC_OPERATIONS = {
  listCustomers: `query listCustomers($after: String) {
  customers(isSystem: false, after: $after) {
    nodes { id name externalId description }
    pageInfo { hasNextPage endCursor }
  }
}`,
  createCustomer: `mutation createCustomer($name: String!, $description: String, $externalId: String, $labels: [String]) {
  createCustomer(input: { name: $name, description: $description, externalId: $externalId, labels: $labels }) {
    customer { id }
    errors { field messages }
  }
}`,
  listInstances: `query listInstances($customer: ID, $integration: ID, $after: String) {
  instances(customer: $customer, integration: $integration, isSystem: false, after: $after) {
    nodes { id name description enabled customer { id name externalId } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  createInstance: `mutation createInstance($name: String!, $description: String, $integration: ID!, $customer: ID!, $configVariables: [InputInstanceConfigVariable], $labels: [String]) {
  createInstance(input: { name: $name, description: $description, integration: $integration, customer: $customer, configVariables: $configVariables, labels: $labels }) {
    instance { id }
    errors { field messages }
  }
}`,
  updateInstance: `mutation updateInstance($id: ID!, $name: String, $description: String, $version: ID, $labels: [String]) {
  updateInstance(input: { id: $id, name: $name, description: $description, integration: $version, labels: $labels }) {
    instance { id }
    errors { field messages }
  }
}`,
  deployInstance: `mutation deployInstance($id: ID!, $force: Boolean) {
  deployInstance(input: { id: $id, force: $force }) {
    instance { id }
    errors { field messages }
  }
}`,
  listInstanceConfigVariables: `query listInstanceConfigVariables($id: ID!) {
  instance(id: $id) {
    configVariables {
      nodes {
        id value status
        inputs { nodes { name value } }
        requiredConfigVariable { id key defaultValue dataType }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
  enableInstance: `mutation enableInstance($id: ID!) {
  updateInstance(input: { id: $id, enabled: true }) {
    instance { id }
    errors { field messages }
  }
}`,
  disableInstance: `mutation disableInstance($id: ID!) {
  updateInstance(input: { id: $id, enabled: false }) {
    instance { id }
    errors { field messages }
  }
}`,
} as const;

/**
 * Documents prism does not send, each named in docs/marketplace.md. listLabelledInstances is prism's
 * listInstances (same arguments and variables) plus `labels` on each instance: Instance.labels is in
 * Prismatic's published schema, unverified against a client that sends it.
 */
export const PRISMATIC_SCHEMA_OPERATIONS = {
  listLabelledInstances: `query listLabelledInstances($customer: ID, $integration: ID, $after: String) {
  instances(customer: $customer, integration: $integration, isSystem: false, after: $after) {
    nodes { id name description enabled labels customer { id name externalId } }
    pageInfo { hasNextPage endCursor }
  }
}`,
} as const;

const DOCUMENTS = { ...PRISMATIC_OPERATIONS, ...PRISMATIC_SCHEMA_OPERATIONS };

export type PrismaticOperation = keyof typeof DOCUMENTS;

export interface PrismaticAdapterOptions {
  /** Prismatic's URL (default PRISMATIC_URL, else https://app.prismatic.io); another region or a private stack. */
  url?: string;
  /** An access token (`prism me:token`), sent as a Bearer token to `<url>/api` only. */
  accessToken: string;
  /** The integration (or integration version) the instances are of. */
  integrationId: string;
  /** The name of the integration's Pipedrive connection config variable. */
  connectionConfigVar: string;
}

export interface PrismaticInstall {
  customer: { id: string; created: boolean };
  instance: { id: string; created: boolean };
}

interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

type Errors = { field: string; messages: string[] }[] | undefined;

/** An instance as listLabelledInstances returns it. */
interface InstanceNode {
  id: string;
  name: string;
  enabled: boolean;
  labels: string[] | null;
  customer: { id: string; name: string; externalId: string | null };
}

/** A config variable as prism's listInstanceConfigVariables returns it. */
interface ConfigVariableNode {
  id: string;
  status: string;
  requiredConfigVariable: { id: string; key: string; dataType: string };
}

export interface PrismaticPlatformOptions {
  /** Prismatic's OAuth 2.0 callback, where the bridge replays the code (default https://oauth2.prismatic.io/callback). */
  oauthCallbackUrl?: string;
  /**
   * Your page that calls prismatic.configureInstance({ instanceId }): a URL in which `{instanceId}` is
   * replaced (URL-encoded), or a function of the instance.
   */
  configurePageUrl: string | ((instance: PlatformInstance) => string);
  /** The name of a new instance (default: "Pipedrive (<customer name>)"). */
  instanceName?: (customer: PlatformCustomer) => string;
}

const toInstance = (node: InstanceNode): PlatformInstance => ({
  id: node.id,
  customerId: node.customer.id,
  name: node.name,
  enabled: node.enabled,
  labels: node.labels ?? [],
});

export class PrismaticAdapter {
  readonly url: string;

  constructor(private readonly options: PrismaticAdapterOptions) {
    this.url = new URL("/api", options.url ?? process.env.PRISMATIC_URL ?? "https://app.prismatic.io").toString();
  }

  async request<T>(operation: PrismaticOperation, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${this.options.accessToken}`,
        "Prismatic-Client": "prism",
      },
      body: JSON.stringify({ query: DOCUMENTS[operation], variables }),
    });
    const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string }[] };
    if (!response.ok || body.errors?.length || !body.data) {
      throw new Error(
        `Prismatic ${operation} failed (HTTP ${response.status}): ${body.errors?.map((e) => e.message).join("; ") ?? "no data"}`,
      );
    }
    return body.data;
  }

  private static check(operation: string, errors: Errors) {
    if (errors?.length) {
      throw new Error(
        `Prismatic ${operation}: ${errors.map((e) => `${e.field}: ${e.messages.join(", ")}`).join("; ")}`,
      );
    }
  }

  private async *walk<T>(
    operation: "listCustomers" | "listInstances" | "listLabelledInstances",
    variables: Record<string, unknown>,
  ) {
    let after: string | null = null;
    for (;;) {
      const data: Record<string, Page<T>> = await this.request(operation, { ...variables, after });
      const page = operation === "listCustomers" ? data.customers : data.instances;
      yield* page.nodes;
      if (!page.pageInfo.hasNextPage) return;
      after = page.pageInfo.endCursor;
    }
  }

  async findOrCreateCustomer(account: { externalId: string; name: string }): Promise<{ id: string; created: boolean }> {
    const found = await this.findCustomer(account.externalId);
    return found ? { id: found.id, created: false } : { id: await this.createCustomer(account), created: true };
  }

  /** The customer with this external id, over every page of listCustomers. */
  private async findCustomer(externalId: string): Promise<PlatformCustomer | undefined> {
    for await (const customer of this.walk<PlatformCustomer>("listCustomers", {}))
      if (customer.externalId === externalId) return customer;
    return undefined;
  }

  private async createCustomer(account: { externalId: string; name: string }): Promise<string> {
    const data = await this.request<{ createCustomer: { customer: { id: string }; errors: Errors } }>(
      "createCustomer",
      { name: account.name, description: undefined, externalId: account.externalId, labels: undefined },
    );
    PrismaticAdapter.check("createCustomer", data.createCustomer.errors);
    return data.createCustomer.customer.id;
  }

  /**
   * The customer's instance of the integration, else a new one with the connection set: `fields` are
   * the connection's inputs (e.g. apiToken and companyDomain), passed as prism passes credentials.
   */
  async findOrCreateInstance(
    customerId: string,
    instance: { name: string; fields: Record<string, string> },
  ): Promise<{ id: string; created: boolean }> {
    for await (const found of this.walk<{ id: string }>("listInstances", {
      customer: customerId,
      integration: this.options.integrationId,
    })) {
      const data = await this.request<{ updateInstance: { errors: Errors } }>("updateInstance", {
        id: found.id,
        name: undefined,
        description: undefined,
        version: this.options.integrationId,
        labels: undefined,
      });
      PrismaticAdapter.check("updateInstance", data.updateInstance.errors);
      return { id: found.id, created: false };
    }
    const values = Object.entries(instance.fields).map(([name, value]) => ({ name, type: "value", value }));
    const data = await this.request<{ createInstance: { instance: { id: string }; errors: Errors } }>(
      "createInstance",
      {
        name: instance.name,
        description: undefined,
        integration: this.options.integrationId,
        customer: customerId,
        configVariables: [{ key: this.options.connectionConfigVar, values: JSON.stringify(values) }],
        labels: undefined,
      },
    );
    PrismaticAdapter.check("createInstance", data.createInstance.errors);
    return { id: data.createInstance.instance.id, created: true };
  }

  async deploy(instanceId: string): Promise<void> {
    const data = await this.request<{ deployInstance: { errors: Errors } }>("deployInstance", {
      id: instanceId,
      force: undefined,
    });
    PrismaticAdapter.check("deployInstance", data.deployInstance.errors);
  }

  /** Customer, instance with the connection, deploy: what an install needs on Prismatic's side. */
  async install(account: {
    externalId: string;
    name: string;
    fields: Record<string, string>;
  }): Promise<PrismaticInstall> {
    const customer = await this.findOrCreateCustomer(account);
    const instance = await this.findOrCreateInstance(customer.id, { name: account.name, fields: account.fields });
    await this.deploy(instance.id);
    return { customer, instance };
  }

  /** The customer's instances of the integration, with their labels (listLabelledInstances). */
  private async instancesOf(customerId: string | undefined): Promise<PlatformInstance[]> {
    const found: PlatformInstance[] = [];
    for await (const node of this.walk<InstanceNode>("listLabelledInstances", {
      customer: customerId,
      integration: this.options.integrationId,
    }))
      found.push(toInstance(node));
    return found;
  }

  /** Enables or disables the instance: prism's enableInstance / disableInstance. */
  async setEnabled(instanceId: string, enabled: boolean): Promise<void> {
    const operation = enabled ? "enableInstance" : "disableInstance";
    const data = await this.request<{ updateInstance: { errors: Errors } }>(operation, { id: instanceId });
    PrismaticAdapter.check(operation, data.updateInstance.errors);
  }

  /**
   * The install bridge's PlatformApi on Prismatic. A new instance is created unconfigured and not
   * deployed: the configuration page (prismatic.configureInstance) deploys it once the user has
   * finished. `identifyPipedriveUser` is not provided, so uninstall notices only find instances
   * labelled some other way (docs/marketplace.md, section 5).
   */
  platform(options: PrismaticPlatformOptions): PlatformApi {
    const configure = options.configurePageUrl;
    const connectionKey = this.options.connectionConfigVar;
    return {
      oauthCallbackUrl: options.oauthCallbackUrl ?? "https://oauth2.prismatic.io/callback",
      findOrCreateCustomer: async (account) =>
        (await this.findCustomer(account.externalId)) ?? {
          id: await this.createCustomer(account),
          externalId: account.externalId,
          name: account.name,
        },
      findOrCreateInstance: async (customer) => {
        const [existing] = await this.instancesOf(customer.id);
        if (existing) return existing;
        const data = await this.request<{ createInstance: { instance: { id: string }; errors: Errors } }>(
          "createInstance",
          {
            name: options.instanceName?.(customer) ?? `Pipedrive (${customer.name})`,
            description: undefined,
            integration: this.options.integrationId,
            customer: customer.id,
            configVariables: undefined,
            labels: undefined,
          },
        );
        PrismaticAdapter.check("createInstance", data.createInstance.errors);
        const created = (await this.instancesOf(customer.id)).find((i) => i.id === data.createInstance.instance.id);
        if (!created)
          throw new Error(`Prismatic: instance ${data.createInstance.instance.id} not listed after createInstance`);
        return created;
      },
      getConnectionConfigVariable: async (instance) => {
        const data = await this.request<{ instance: { configVariables: { nodes: ConfigVariableNode[] } } | null }>(
          "listInstanceConfigVariables",
          { id: instance.id },
        );
        const node = data.instance?.configVariables.nodes.find((n) => n.requiredConfigVariable.key === connectionKey);
        if (!node) throw new Error(`Prismatic: instance ${instance.id} has no config variable "${connectionKey}"`);
        if (node.requiredConfigVariable.dataType !== "connection")
          throw new Error(
            `Prismatic: config variable "${connectionKey}" of instance ${instance.id} is not a connection`,
          );
        return { id: node.id, key: connectionKey, status: node.status };
      },
      configurePageUrl: (instance) =>
        typeof configure === "function"
          ? configure(instance)
          : configure.replaceAll("{instanceId}", encodeURIComponent(instance.id)),
      labelInstance: async (instance, label) => {
        // updateInstance replaces the labels: read the current ones first, so none is lost.
        const current = (await this.instancesOf(instance.customerId)).find((i) => i.id === instance.id);
        if (!current) throw new Error(`Prismatic: instance ${instance.id} not found`);
        if (current.labels.includes(label)) return;
        const data = await this.request<{ updateInstance: { errors: Errors } }>("updateInstance", {
          id: instance.id,
          labels: [...current.labels, label],
        });
        PrismaticAdapter.check("updateInstance", data.updateInstance.errors);
      },
      findInstancesByLabel: async (label) =>
        (await this.instancesOf(undefined)).filter((instance) => instance.labels.includes(label)),
      setInstanceEnabled: (instance, enabled) => this.setEnabled(instance.id, enabled),
    };
  }
}

/** The environment variables `prismaticPlatformFromEnv` reads (docs/marketplace.md, section 5). */
export const PRISMATIC_ENV = {
  accessToken: "PRISMATIC_ACCESS_TOKEN",
  url: "PRISMATIC_URL",
  integrationId: "PRISMATIC_INTEGRATION_ID",
  connectionConfigVar: "PRISMATIC_CONNECTION_CONFIG_VAR",
  configurePageUrl: "PRISMATIC_CONFIGURE_URL",
  oauthCallbackUrl: "PRISMATIC_OAUTH_CALLBACK_URL",
} as const;

/**
 * The bridge's PlatformApi on Prismatic from the environment, or null when PRISMATIC_ACCESS_TOKEN is
 * not set. With the token, PRISMATIC_INTEGRATION_ID and PRISMATIC_CONFIGURE_URL are required (the
 * error names the missing ones, never a value); PRISMATIC_URL (default https://app.prismatic.io),
 * PRISMATIC_CONNECTION_CONFIG_VAR (default "Pipedrive Connection") and PRISMATIC_OAUTH_CALLBACK_URL
 * (default https://oauth2.prismatic.io/callback) are optional.
 */
export function prismaticPlatformFromEnv(env: Record<string, string | undefined> = process.env): PlatformApi | null {
  const value = (name: string) => env[name]?.trim() || undefined;
  const accessToken = value(PRISMATIC_ENV.accessToken);
  if (!accessToken) return null;
  const missing = [PRISMATIC_ENV.integrationId, PRISMATIC_ENV.configurePageUrl].filter((name) => !value(name));
  if (missing.length)
    throw new Error(
      `${PRISMATIC_ENV.accessToken} is set, so the bridge uses Prismatic: set ${missing.join(" and ")} too`,
    );
  return new PrismaticAdapter({
    url: value(PRISMATIC_ENV.url),
    accessToken,
    integrationId: value(PRISMATIC_ENV.integrationId) as string,
    connectionConfigVar: value(PRISMATIC_ENV.connectionConfigVar) ?? "Pipedrive Connection",
  }).platform({
    configurePageUrl: value(PRISMATIC_ENV.configurePageUrl) as string,
    oauthCallbackUrl: value(PRISMATIC_ENV.oauthCallbackUrl),
  });
}
