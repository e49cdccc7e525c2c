import { asc } from 'drizzle-orm';
import type { Db } from '../client.js';
import { policyVersions } from '../schema.js';

export interface StoredPolicy {
  version: string;
  effective: string;
  sourceHash: string;
  body: string;
  loadedAt: Date;
}

/** Every policy version ever loaded, oldest first. */
export function listPolicies(db: Db): StoredPolicy[] {
  return db.select().from(policyVersions).orderBy(asc(policyVersions.id)).all();
}

export function insertPolicy(db: Db, p: StoredPolicy): void {
  db.insert(policyVersions).values(p).run();
}
