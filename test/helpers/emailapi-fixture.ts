// Jest helper: the Email API sandbox as the engine tests start it, its credentials, every body checked against OpenAPI.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { DOCUMENTED_VERSION, EmailApiSandbox } from '../../scripts/sandbox/emailapi-sandbox';
import { requestBodyErrors } from './openapi';
import { readSpec } from './spec-files';

/** The Version HighLevel's documents give (the sandbox's constant); the package sends it on every call. */
export { DOCUMENTED_VERSION };
export const PIT = 'pit-email-api-test-token-8d1f2c';
export const ALL_SCOPES = ['users.readonly', 'users.write', 'workflows.readonly', 'contacts.readonly', 'contacts.write', 'courses.write', 'locations/customFields.readonly'];

export async function startEmailApi(options: ConstructorParameters<typeof EmailApiSandbox>[0] = {}) {
	const sandbox = new EmailApiSandbox(options);
	sandbox.addToken(PIT, { scopes: ALL_SCOPES as never[] });
	await sandbox.listen();
	return sandbox;
}

export function apiKeyCredentials(sandbox: EmailApiSandbox, token = PIT) {
	return {
		emailApiKeyApi: { token, baseUrl: sandbox.url!, apiVersion: DOCUMENTED_VERSION, locationId: sandbox.locationId, companyId: sandbox.companyId },
	};
}

/**
 * Every request our node sent meets the documents' strict form: Version: the documented version (the sandbox also takes what
 * HighLevel's SDK sends by default, so only this check holds the package to the documented value), and every
 * body one HighLevel's OpenAPI documents accept.
 */
export function expectRequestsMeetDocuments(sandbox: EmailApiSandbox) {
	const apiRequests = sandbox.requests().filter((r: { path: string }) => !r.path.startsWith('/oauth/') && !r.path.startsWith('/__sandbox'));
	const otherVersions = apiRequests
		.filter((r: { headers: Record<string, string> }) => r.headers.version !== DOCUMENTED_VERSION)
		.map((r: { method: string; path: string; headers: Record<string, string> }) => `${r.method} ${r.path}: Version ${r.headers.version}`);
	expect(otherVersions).toEqual([]);
	const problems = apiRequests
		.filter((r: { method: string; rawBody: string }) => ['POST', 'PUT'].includes(r.method) || (r.method === 'DELETE' && r.rawBody !== ''))
		.flatMap((r: { method: string; path: string; rawBody: string }) =>
			isSearch(r.method, r.path) ? searchBodyErrors(r.rawBody) : requestBodyErrors(r.method, r.path, r.rawBody),
		);
	expect(problems).toEqual([]);
}

function isSearch(method: string, path: string) {
	return method === 'POST' && (path === '/contacts/search' || path === '/contacts/search/');
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const SEARCH_FIELDS = ['locationId', 'page', 'pageLimit', 'searchAfter', 'filters', 'sort', 'query'];
const SEARCH_OPERATORS = ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists', 'range'];

/**
 * POST /contacts/search against contacts-search.md (contacts.json leaves its SearchBodyV2DTO empty, so the OpenAPI
 * check cannot read it): the fields of its table, pageLimit 1-500, standard paging within 10,000 records, no page
 * with searchAfter, filters and groups, exists/not_exists without a value, range with gte/lte/gt/lt, text of at most
 * 75 characters. [] when the document allows the body.
 */
export function searchBodyErrors(rawBody: string): string[] {
	const problems: string[] = [];
	const say = (text: string) => problems.push(`POST /contacts/search: ${text}`);
	let body: unknown;
	try {
		body = JSON.parse(rawBody);
	} catch {
		return ['POST /contacts/search: the body is not JSON'];
	}
	if (!isObject(body)) return ['POST /contacts/search: the body must be a JSON object'];
	for (const key of Object.keys(body)) if (!SEARCH_FIELDS.includes(key)) say(`${key} is not a field of the search body`);
	if (typeof body.locationId !== 'string' || body.locationId === '') say('locationId is required');
	const limit = body.pageLimit;
	if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 500) say('pageLimit is required, from 1 to 500');
	if (body.page !== undefined) {
		const page = body.page;
		if (typeof page !== 'number' || !Number.isInteger(page) || page < 1) say('page must be a page number from 1');
		else if (body.searchAfter !== undefined) say('page and searchAfter do not go together');
		else if (typeof limit === 'number' && page * limit > 10000) say('standard paging reaches 10,000 records at most: beyond, searchAfter');
	}
	if (body.searchAfter !== undefined && !Array.isArray(body.searchAfter)) say('searchAfter must be an array');
	if (body.query !== undefined && (typeof body.query !== 'string' || body.query.length > 75)) say('query must be text of at most 75 characters');
	if (body.sort !== undefined) {
		if (!Array.isArray(body.sort)) say('sort must be an array');
		else
			body.sort.forEach((s: unknown, i) => {
				if (!isObject(s) || typeof s.field !== 'string' || !['asc', 'desc'].includes(String(s.direction))) say(`sort[${i}] must be {field, direction: asc|desc}`);
			});
	}
	if (body.filters !== undefined) {
		if (!Array.isArray(body.filters)) say('filters must be an array');
		else body.filters.forEach((f: unknown, i) => searchFilterErrors(f, `filters[${i}]`, say));
	}
	return problems;
}

function searchFilterErrors(filter: unknown, path: string, say: (text: string) => void): void {
	if (!isObject(filter)) return say(`${path} must be an object`);
	if ('group' in filter) {
		if (filter.group !== 'AND' && filter.group !== 'OR') say(`${path}.group must be AND or OR`);
		if (!Array.isArray(filter.filters)) return say(`${path}.filters must be an array`);
		return filter.filters.forEach((f: unknown, i) => searchFilterErrors(f, `${path}.filters[${i}]`, say));
	}
	if (typeof filter.field !== 'string' || filter.field === '') say(`${path}.field is required`);
	const operator = String(filter.operator);
	if (!SEARCH_OPERATORS.includes(operator)) return say(`${path}.operator must be one of ${SEARCH_OPERATORS.join(', ')}`);
	const value = filter.value;
	if (operator === 'exists' || operator === 'not_exists') {
		if (value !== undefined) say(`${path}: ${operator} takes no value`);
	} else if (operator === 'range') {
		if (!isObject(value) || Object.keys(value).length === 0 || Object.keys(value).some((k) => !['gte', 'lte', 'gt', 'lt'].includes(k))) {
			say(`${path}.value must be an object of gte, lte, gt, lt`);
		}
	} else {
		const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
		if (texts.some((t) => t.length > 75)) say(`${path}.value: string values of at most 75 characters`);
	}
}

const ANSWER_DOCS = ['users.json', 'workflows.json', 'contacts.json', 'courses.json', 'locations.json'];
const specs = new Map<string, Json>();
let answerAjv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** $refs rewritten so that each document can be registered under its file name (as openapi.ts does). */
function withFileRefs(node: unknown, file: string): unknown {
	if (Array.isArray(node)) return node.map((n) => withFileRefs(n, file));
	if (!isObject(node)) return node;
	const out: Json = {};
	for (const [key, value] of Object.entries(node)) {
		if (key === '$ref' && typeof value === 'string') out[key] = value.startsWith('#') ? `${file}${value}` : value.replace('../common/', '');
		else if (key !== 'example' && key !== 'examples') out[key] = withFileRefs(value, file);
	}
	return out;
}

/** A document of ../shared/specs/highlevel, read once. */
function spec(file: string): Json {
	if (!specs.has(file)) specs.set(file, readSpec(file) as Json);
	return specs.get(file)!;
}

function answersAjv(): Ajv {
	if (answerAjv) return answerAjv;
	const ajv = new Ajv({ strict: false, allErrors: true });
	addFormats(ajv);
	ajv.addSchema(withFileRefs(spec('common-schemas.json'), 'common-schemas.json') as Json, 'common-schemas.json');
	for (const file of ANSWER_DOCS) ajv.addSchema(withFileRefs(spec(file), file) as Json, file);
	answerAjv = ajv;
	return ajv;
}

function validator(key: string, schema: () => Json): ValidateFunction {
	let validate = compiled.get(key);
	if (!validate) compiled.set(key, (validate = answersAjv().compile(schema())));
	return validate;
}

function messages(validate: ValidateFunction, where: string): string[] {
	return (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
}

/**
 * An answer against HighLevel's OpenAPI documents: [] when `body` fits the schema the documents give for this
 * operation (path template as written there, e.g. /contacts/{contactId}/tags) and status, or when they give none.
 */
export function answerErrors(method: string, template: string, status: number, body: unknown): string[] {
	const operationIn = (file: string) => (spec(file).paths as Record<string, Record<string, Json> | undefined>)[template]?.[method.toLowerCase()];
	const file = ANSWER_DOCS.find((f) => operationIn(f) !== undefined);
	if (!file) return [`no operation ${method} ${template} in the OpenAPI documents`];
	const response = (operationIn(file)!.responses as Json)[String(status)];
	if (!isObject(response)) return [`${method} ${template} documents no ${status} answer`];
	const schema = (response.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema;
	if (!schema) return [];
	const validate = validator(`${file} ${method} ${template} ${status}`, () => withFileRefs(schema, file) as Json);
	return validate(body) ? [] : messages(validate, `${method} ${template} ${status}`);
}

/** A value against one of the documents' named schemas (e.g. contacts.json ContactsSearchSchema); [] when it fits. */
export function schemaErrors(file: string, name: string, value: unknown): string[] {
	const validate = validator(`${file}#${name}`, () => ({ $ref: `${file}#/components/schemas/${name}` }));
	return validate(value) ? [] : messages(validate, `${file} ${name}`);
}
