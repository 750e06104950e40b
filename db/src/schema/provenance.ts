// The append-only provenance graph. Nodes are existing records (kind + id);
// a trigger in the migrations refuses UPDATE and DELETE on this table.
import { index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core"
import { createdAt, id } from "./columns.ts"

export const provenanceEdges = pgTable(
  "provenance_edges",
  {
    id: id(),
    fromKind: text().notNull(),
    fromId: uuid().notNull(),
    relation: text().notNull(),
    toKind: text().notNull(),
    toId: uuid().notNull(),
    actor: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.fromKind, t.fromId), index().on(t.toKind, t.toId)],
)
