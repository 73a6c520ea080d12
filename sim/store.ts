/**
 * In-memory store: one Map per collection, iterated in insertion order. Numeric ids are
 * auto-incremented per collection and only ever appended, so insertion order == id order; that
 * is what makes keyset and offset pagination stable while records are added.
 */
import * as crypto from "node:crypto";
import type { CollectionName, RecordId, SimRecord } from "./types";

export class Collection {
  readonly name: CollectionName;
  readonly idType: "int" | "uuid";
  records = new Map<RecordId, SimRecord>();
  nextId = 1;
  /** Bumped on every write; lets callers cache derived arrays. */
  version = 0;

  constructor(name: CollectionName, idType: "int" | "uuid") {
    this.name = name;
    this.idType = idType;
  }

  allocateId(): RecordId {
    return this.idType === "uuid" ? crypto.randomUUID() : this.nextId++;
  }

  insert(rec: SimRecord): SimRecord {
    if (this.idType === "int" && typeof rec.id === "number" && rec.id >= this.nextId) this.nextId = rec.id + 1;
    this.records.set(rec.id, rec);
    this.version++;
    return rec;
  }

  replace(rec: SimRecord): SimRecord {
    this.records.set(rec.id, rec);
    this.version++;
    return rec;
  }

  remove(id: RecordId): boolean {
    this.version++;
    return this.records.delete(id);
  }

  get(id: RecordId): SimRecord | undefined {
    return this.records.get(id);
  }

  values(): SimRecord[] {
    return Array.from(this.records.values());
  }

  private orderedCache: { version: number; list: SimRecord[] } | null = null;

  /** Records in insertion (= id) order, cached until the next write. Do not mutate. */
  ordered(): SimRecord[] {
    if (!this.orderedCache || this.orderedCache.version !== this.version) {
      this.orderedCache = { version: this.version, list: Array.from(this.records.values()) };
    }
    return this.orderedCache.list;
  }

  get size(): number {
    return this.records.size;
  }
}

export interface StoreSnapshot {
  collections: Array<{ name: CollectionName; idType: "int" | "uuid"; nextId: number; records: SimRecord[] }>;
}

export class Store {
  private readonly collections = new Map<CollectionName, Collection>();

  define(name: CollectionName, idType: "int" | "uuid"): Collection {
    const c = new Collection(name, idType);
    this.collections.set(name, c);
    return c;
  }

  collection(name: CollectionName): Collection {
    const c = this.collections.get(name);
    if (!c) throw new Error(`Pipedrive simulator: unknown collection '${name}'`);
    return c;
  }

  has(name: string): name is CollectionName {
    return this.collections.has(name as CollectionName);
  }

  names(): CollectionName[] {
    return [...this.collections.keys()];
  }

  snapshot(): StoreSnapshot {
    return {
      collections: [...this.collections.values()].map((c) => ({
        name: c.name,
        idType: c.idType,
        nextId: c.nextId,
        records: structuredClone(c.values()),
      })),
    };
  }

  restore(snap: StoreSnapshot): void {
    this.collections.clear();
    for (const s of snap.collections) {
      const c = this.define(s.name, s.idType);
      for (const r of structuredClone(s.records)) c.records.set(r.id, r);
      c.nextId = s.nextId;
    }
  }
}
