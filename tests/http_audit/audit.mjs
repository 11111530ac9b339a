// GraphQL over HTTP compliance: run graphql-http's server audit against a running endpoint.
//
//   node tests/http_audit/audit.mjs http://127.0.0.1:8000/graphql [--strict]
//
// Prints every audit with its result. Exits 1 unless every MUST and SHOULD audit passes; MAY audits are
// informational unless --strict is given, then they must pass too.
import { auditServer } from 'graphql-http';

const args = process.argv.slice(2);
const url = args.find((arg) => !arg.startsWith('--'));
const strict = args.includes('--strict');
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL> [--strict]');
  process.exit(2);
}

const required = (result) => strict || !result.name.startsWith('MAY');

async function describeFailure(result) {
  let body = '';
  try {
    body = (await result.response.text()).slice(0, 300);
  } catch {
    // The audit may already have read the body; the reason says enough then.
  }
  const type = result.response.headers.get('content-type');
  return `${result.reason} [${result.response.status} ${type}] ${body}`;
}

const results = await auditServer({ url });
const counts = {};
let failed = 0;
for (const result of results) {
  const level = result.name.split(' ')[0];
  counts[level] ??= { ok: 0, total: 0 };
  counts[level].total += 1;
  if (result.status === 'ok') {
    counts[level].ok += 1;
    console.log(`ok    ${result.id} ${result.name}`);
    continue;
  }
  const blocking = required(result);
  if (blocking) failed += 1;
  console.log(`${blocking ? 'FAIL ' : 'note '} ${result.id} ${result.name}: ${await describeFailure(result)}`);
}
const summary = Object.entries(counts).map(([level, c]) => `${level} ${c.ok}/${c.total}`);
console.log(`\n${summary.join(', ')} passed${failed ? `; ${failed} required audit(s) failed` : ''}`);
process.exit(failed ? 1 : 0);
