/**
 * The import bench's baseline: read and parse the same CSV with the same
 * csv-parse options as `switchboard import contacts`, writing nothing.
 * Usage: node --import tsx bench/csv-parse-child.ts FILE.csv
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) throw new Error('usage: csv-parse-child.ts FILE.csv');
const parser = parse({ bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_records_with_error: true, max_record_size: 64 * 1024 });
createReadStream(file).pipe(parser);
let rows = 0;
for await (const { record } of parser as AsyncIterable<{ record: string[] }>) if (record.length > 0) rows++;
console.log(`parsed ${rows} records`);
