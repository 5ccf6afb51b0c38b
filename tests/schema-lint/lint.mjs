// Check schema/schema.graphql as a frontend's tooling would: graphql-js `buildSchema` on the
// file as it is, then ESLint with eslint.config.mjs.
//
//   node lint.mjs
//
// Prints one JSON object: {"built": bool, "buildError": string|null, "findings": [{rule,
// line, message}]}; exits 0 when the schema builds and ESLint finds nothing, else 1.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildSchema } from 'graphql';
import { ESLint } from 'eslint';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const file = `${root}schema/schema.graphql`;

let buildError = null;
try {
  buildSchema(await readFile(file, 'utf8'));
} catch (error) {
  buildError = String(error.message ?? error);
}

let findings = [];
if (buildError === null) {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: `${here}eslint.config.mjs` });
  const [result] = await eslint.lintFiles([file]);
  findings = result.messages.map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }));
}
console.log(JSON.stringify({ built: buildError === null, buildError, findings }, null, 2));
process.exitCode = buildError === null && findings.length === 0 ? 0 : 1;
