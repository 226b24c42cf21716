// Jest helper: request bodies checked against HighLevel's OpenAPI documents; for emailapi-fixture.ts.
// Validates the request bodies our nodes send against HighLevel's own OpenAPI documents
// (../shared/specs/highlevel), so a field the real API would reject fails the test.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { readSpec } from './spec-files';
const DOCS = ['users.json', 'workflows.json', 'contacts.json', 'courses.json', 'oauth.json'];

type Json = Record<string, unknown>;

/** Rewrites local and cross-file $refs so every document can be registered under its file name. */
function rewriteRefs(node: unknown, file: string): unknown {
	if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, file));
	if (!node || typeof node !== 'object') return node;
	const out: Json = {};
	for (const [key, value] of Object.entries(node as Json)) {
		if (key === '$ref' && typeof value === 'string') {
			out[key] = value.startsWith('#') ? `${file}${value}` : value.replace('../common/', '');
		} else if (key !== 'example' && key !== 'examples') {
			out[key] = rewriteRefs(value, file);
		}
	}
	return out;
}

interface Operation {
	method: string;
	pattern: RegExp;
	template: string;
	validate?: ValidateFunction;
}

let operations: Operation[] | undefined;

function load(): Operation[] {
	if (operations) return operations;
	const ajv = new Ajv({ strict: false, allErrors: true });
	addFormats(ajv);
	const common = readSpec('common-schemas.json');
	ajv.addSchema(rewriteRefs(common, 'common-schemas.json') as Json, 'common-schemas.json');
	const found: Operation[] = [];
	for (const file of DOCS) {
		const doc = rewriteRefs(readSpec(file), file) as Json;
		ajv.addSchema(doc, file);
		for (const [template, ops] of Object.entries(doc.paths as Record<string, Json>)) {
			for (const [method, op] of Object.entries(ops)) {
				const content = ((op as Json).requestBody as Json | undefined)?.content as Record<string, { schema?: Json }> | undefined;
				const schema = content && Object.values(content)[0]?.schema;
				const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\/$/, '')}/?$`);
				let validate: ValidateFunction | undefined;
				if (schema) {
					// NestJS rejects properties a DTO does not declare (forbidNonWhitelisted): close the top level.
					const ref = String(schema.$ref ?? '');
					const resolved = ref ? (ajv.getSchema(ref)?.schema as Json | undefined) : schema;
					validate = ajv.compile({ ...(resolved ?? schema), additionalProperties: false });
				}
				found.push({ method: method.toUpperCase(), pattern, template, validate });
			}
		}
	}
	operations = found;
	return found;
}

/** Errors for a request (method, path as sent, JSON body), or [] when the spec accepts it. */
export function requestBodyErrors(method: string, path: string, rawBody: string): string[] {
	const candidates = load().filter((op) => op.method === method && op.pattern.test(path));
	// A literal path (/users/search) wins over a template (/users/{userId}).
	const op = candidates.sort((a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0))[0];
	if (!op) return [`no operation ${method} ${path} in the OpenAPI documents`];
	if (!op.validate) return rawBody && rawBody !== '{}' && method !== 'DELETE' ? [`${method} ${op.template} takes no body`] : [];
	if (!rawBody) return [`${method} ${op.template} needs a body`];
	const body = JSON.parse(rawBody);
	if (op.validate(body)) return [];
	return (op.validate.errors ?? []).map((e) => `${method} ${op.template}: ${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
}
