/**
 * `npm run index-template`: writes docs/elasticsearch/index-template.json from the recording schema
 * (index-template.ts), so the committed template follows the schema.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { indexTemplateText } from './index-template.js';

const target = fileURLToPath(new URL('../../../docs/elasticsearch/index-template.json', import.meta.url));
writeFileSync(target, indexTemplateText());
process.stdout.write(`wrote ${target}\n`);
