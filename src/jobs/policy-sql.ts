import { sqlNewId } from "../db/sql";

/** A fresh event id made inside SQL, for events inserted many rows at a time. */
export const sqlEventId = sqlNewId("evt");
