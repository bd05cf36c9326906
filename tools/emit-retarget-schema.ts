// Writes docs/retarget-table.schema.json from RETARGET_TABLE_SCHEMA (plugin/retarget/retarget-table.ts), the one
// source of the schema. test/node/retarget-table.test.ts fails when the two disagree.
//   npm run schema
import fs from 'node:fs';
import { RETARGET_TABLE_SCHEMA } from '../plugin/retarget/retarget-table.js';

export const SCHEMA_FILE = 'docs/retarget-table.schema.json';
fs.writeFileSync(SCHEMA_FILE, `${JSON.stringify(RETARGET_TABLE_SCHEMA, null, 2)}\n`);
console.log(`wrote ${SCHEMA_FILE}`);
