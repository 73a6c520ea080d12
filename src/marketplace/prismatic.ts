/**
 * The Prismatic side of an install: find or create the customer (by external id) and its instance of
 * the integration, with the Pipedrive connection set, and deploy it. It sends the GraphQL operations
 * Prismatic's own CLI sends (@prismatic-io/prism 10.4.0: listCustomers, createCustomer, listInstances,
 * createInstance, updateInstance, deployInstance), with the same documents and variables, to
 * `<PRISMATIC_URL>/api` with the same headers. prism sets config variables only when it creates an
 * instance, so the connection is set on creation; an existing instance is moved to the given
 * integration version and redeployed, its connection left as the customer set it.
 */

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
} as const;

export type PrismaticOperation = keyof typeof PRISMATIC_OPERATIONS;

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
      body: JSON.stringify({ query: PRISMATIC_OPERATIONS[operation], variables }),
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

  private async *walk<T>(operation: "listCustomers" | "listInstances", variables: Record<string, unknown>) {
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
    for await (const customer of this.walk<{ id: string; externalId: string | null }>("listCustomers", {})) {
      if (customer.externalId === account.externalId) return { id: customer.id, created: false };
    }
    const data = await this.request<{ createCustomer: { customer: { id: string }; errors: Errors } }>(
      "createCustomer",
      { name: account.name, description: undefined, externalId: account.externalId, labels: undefined },
    );
    PrismaticAdapter.check("createCustomer", data.createCustomer.errors);
    return { id: data.createCustomer.customer.id, created: true };
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
}
