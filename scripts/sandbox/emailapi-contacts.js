// Sandbox: the Email API's contact search, tags, custom fields and seeded contacts; for emailapi-sandbox.js.
// What HighLevel documents outside the plain DTOs: the body of POST /contacts/search (contacts-search.md: filters,
// sort, standard paging up to 10,000 records, searchAfter beyond), tags as HighLevel keeps them (trimmed, lower
// case, one copy each), a location's custom fields (locations.json) and the values a contact may hold in them.
// Pure functions: they return messages and results; emailapi-sandbox.js turns them into answers. Every string from
// outside is bounded before anything else reads it, and read with linear checks only.
'use strict';
const crypto = require('node:crypto');

/** contacts-search.md: results per page, records standard paging reaches, length of `query` and string values. */
const MAX_PAGE_LIMIT = 500;
const MAX_STANDARD_RECORDS = 10000;
const MAX_SEARCH_TEXT = 75;
/** The sandbox's own bounds on a search body (the document gives none): filters in all, group depth, sort fields. */
const MAX_FILTERS = 100;
const MAX_GROUP_DEPTH = 5;
const MAX_SORT = 3;
const MAX_FILTER_VALUES = 100;
/** The sandbox's own bounds on tags in one request (the documents give none). */
const MAX_TAGS = 1000;
const MAX_TAG_LENGTH = 255;
/** The sandbox's own bound on custom field values in one request. */
const MAX_CUSTOM_FIELDS = 500;
const MAX_NUMBER_TEXT = 40;

const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER_TEXT_RE = /^-?\d+(\.\d+)?$/;
/** `contains` takes no special characters: letters, digits, spaces and @ . _ + - ' only (one class: linear). */
const PLAIN_TEXT_RE = /^[\p{L}\p{M}\p{N} @._+'-]*$/u;
/** A query that is a phone number (digits and the usual separators) is matched on digits too. */
const PHONE_TEXT_RE = /^[\d\s+().-]+$/;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// ---------------------------------------------------------------------------------------------------------------
// tags
// ---------------------------------------------------------------------------------------------------------------

/** What is wrong with the bounds of a tag list (checked before anything reads the tags), or undefined. */
function tagBoundsProblem(tags, path = 'tags') {
	if (!Array.isArray(tags)) return undefined; // the DTO check says what it should be
	if (tags.length > MAX_TAGS) return `${path} must contain no more than ${MAX_TAGS} elements`;
	for (const tag of tags) {
		if (typeof tag === 'string' && tag.length > MAX_TAG_LENGTH) {
			return `each value in ${path} must be shorter than or equal to ${MAX_TAG_LENGTH} characters`;
		}
	}
	return undefined;
}

/** The sandbox's own bounds on an upsert or update body (tags, custom field values), checked before the DTO. */
function contactBoundsProblem(body) {
	if (!isPlainObject(body)) return undefined;
	if (Array.isArray(body.customFields) && body.customFields.length > MAX_CUSTOM_FIELDS) {
		return `customFields must contain no more than ${MAX_CUSTOM_FIELDS} elements`;
	}
	return tagBoundsProblem(body.tags);
}

/** One tag as HighLevel keeps it: trimmed, in lower case ("VIP " and "vip" are one tag). */
function normalizeTag(tag) {
	return String(tag).trim().toLowerCase();
}

/** Tags as HighLevel keeps them: normalised, empty ones dropped, one copy each, in first-seen order. */
function normalizeTags(tags) {
	const seen = new Set();
	for (const tag of tags) {
		const value = normalizeTag(tag);
		if (value) seen.add(value);
	}
	return [...seen];
}

// ---------------------------------------------------------------------------------------------------------------
// custom fields
// ---------------------------------------------------------------------------------------------------------------

/**
 * The data types a custom field may have. locations.json names TEXT only (CustomFieldSchema.dataType is a free
 * string); the others are the ones HighLevel's field editor offers, matching contacts.json's value schemas
 * (TextField, LargeTextField, NumericField, MonetoryField, CheckboxField, SingleSelectField, MultiSelectField,
 * RadioField, FileField), with its spellings.
 */
const CUSTOM_FIELD_TYPES = [
	...['TEXT', 'LARGE_TEXT', 'NUMERICAL', 'PHONE', 'MONETORY', 'CHECKBOX', 'SINGLE_OPTIONS', 'MULTIPLE_OPTIONS'],
	...['RADIO', 'DATE', 'FILE_UPLOAD'],
];
const OPTION_TYPES = new Set(['CHECKBOX', 'SINGLE_OPTIONS', 'MULTIPLE_OPTIONS', 'RADIO']);
const LIST_TYPES = new Set(['CHECKBOX', 'MULTIPLE_OPTIONS']);

/** A field name as a key: "Favourite Rank" -> "favourite_rank". */
function keyOf(name) {
	const key = name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
	let start = 0;
	let end = key.length;
	while (start < end && key[start] === '_') start++;
	while (end > start && key[end - 1] === '_') end--;
	return key.slice(start, end);
}

/**
 * A custom field definition as GET /locations/{locationId}/customFields lists it (CustomFieldSchema).
 * Throws on input a person would have to fix (the control routes answer 400 with the message).
 */
function makeCustomField(locationId, spec, id, position) {
	if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
		throw new Error('a custom field must be an object');
	const { name, dataType, options, fieldKey, placeholder, model = 'contact' } = spec;
	if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
		throw new Error('a custom field needs "name", 1 to 100 characters');
	}
	if (!CUSTOM_FIELD_TYPES.includes(dataType))
		throw new Error(`"dataType" must be one of ${CUSTOM_FIELD_TYPES.join(', ')}`);
	if (!['contact', 'opportunity'].includes(model)) throw new Error('"model" must be contact or opportunity');
	if (OPTION_TYPES.has(dataType)) {
		const ok =
			Array.isArray(options) &&
			options.length > 0 &&
			options.length <= 200 &&
			options.every((o) => typeof o === 'string' && o !== '' && o.length <= 255);
		if (!ok) throw new Error(`a ${dataType} field needs "options": 1 to 200 strings`);
	} else if (options !== undefined) {
		throw new Error(`a ${dataType} field takes no "options"`);
	}
	if (
		fieldKey !== undefined &&
		(typeof fieldKey !== 'string' || fieldKey.length > 120 || !/^[a-z]+\.[a-z0-9_]{1,100}$/.test(fieldKey))
	) {
		throw new Error('"fieldKey" must look like contact.my_field');
	}
	const key = keyOf(name);
	if (fieldKey === undefined && key === '') throw new Error('give a "fieldKey": the name has no letters or digits');
	return {
		id,
		name,
		fieldKey: fieldKey ?? `${model}.${key}`,
		placeholder: typeof placeholder === 'string' ? placeholder : '',
		dataType,
		position,
		...(OPTION_TYPES.has(dataType) ? { picklistOptions: [...options], picklistImageOptions: [] } : {}),
		...(dataType === 'FILE_UPLOAD' ? { isMultiFileAllowed: false, maxFileLimit: 1 } : {}),
		isAllowedCustomOption: false,
		locationId,
		model,
	};
}

function isNumberValue(value) {
	if (typeof value === 'number') return Number.isFinite(value);
	return typeof value === 'string' && value.length <= MAX_NUMBER_TEXT && NUMBER_TEXT_RE.test(value);
}

function isDateValue(value) {
	if (typeof value === 'number') return Number.isFinite(value);
	return (
		typeof value === 'string' &&
		value.length <= MAX_NUMBER_TEXT &&
		ISO_DATE_RE.test(value) &&
		!Number.isNaN(Date.parse(value))
	);
}

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks the `customFields` of an upsert or update ([{id | key, field_value}], already shaped by the DTO check)
 * against the location's contact fields. Returns { errors } or { entries: [{id, value}] } (value undefined: the
 * value is cleared, as an empty field_value does).
 */
function resolveCustomFieldValues(items, definitions) {
	const contactFields = definitions.filter((d) => d.model === 'contact');
	const byId = new Map(contactFields.map((d) => [d.id, d]));
	const byKey = new Map(contactFields.map((d) => [d.fieldKey, d]));
	const errors = [];
	const entries = [];
	items.forEach((item, i) => {
		const path = `customFields.${i}`;
		let field;
		if (item.id !== undefined && item.id !== null) {
			field = typeof item.id === 'string' ? byId.get(item.id) : undefined;
			if (!field) return void errors.push(`${path}.id must be the id of a contact custom field of this location`);
		} else {
			const key = typeof item.key === 'string' ? item.key : '';
			field = byKey.get(key) ?? byKey.get(`contact.${key}`);
			if (!field) return void errors.push(`${path}.key must be the key of a contact custom field of this location`);
		}
		const value = item.field_value;
		if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
			return void entries.push({ id: field.id, value: undefined });
		}
		const problem = customValueProblem(field, value, `${path}.field_value`);
		if (problem) return void errors.push(problem);
		entries.push({ id: field.id, value: storedValue(field, value) });
	});
	return errors.length ? { errors } : { entries };
}

function customValueProblem(field, value, path) {
	const options = field.picklistOptions ?? [];
	switch (field.dataType) {
		case 'NUMERICAL':
		case 'MONETORY':
			return isNumberValue(value) ? undefined : `${path} must be a number conforming to the specified constraints`;
		case 'DATE':
			return isDateValue(value) ? undefined : `${path} must be a valid ISO 8601 date string`;
		case 'SINGLE_OPTIONS':
		case 'RADIO':
			if (typeof value !== 'string') return `${path} must be a string`;
			return options.includes(value) ? undefined : `${path} must be one of the following values: ${options.join(', ')}`;
		case 'CHECKBOX':
		case 'MULTIPLE_OPTIONS': {
			const list = typeof value === 'string' ? [value] : value;
			if (!Array.isArray(list)) return `${path} must be an array`;
			if (list.length > options.length) return `${path} must contain no more than ${options.length} elements`;
			return list.every((v) => typeof v === 'string' && options.includes(v))
				? undefined
				: `each value in ${path} must be one of the following values: ${options.join(', ')}`;
		}
		case 'FILE_UPLOAD':
			return isPlainObject(value) ? undefined : `${path} must be an object`;
		default: // TEXT, LARGE_TEXT, PHONE
			return typeof value === 'string' ? undefined : `${path} must be a string`;
	}
}

/**
 * A value as the contact keeps (and answers) it. contacts.json's CustomFieldSchema gives `value` as a string: numbers
 * and dates are kept as text ("12", an ISO date); the options of a CHECKBOX or MULTIPLE_OPTIONS field stay a list,
 * as its input (CheckboxField, MultiSelectField) is one.
 */
function storedValue(field, value) {
	if (field.dataType === 'NUMERICAL' || field.dataType === 'MONETORY') return String(Number(value));
	if (field.dataType === 'DATE' && typeof value === 'number') return new Date(value).toISOString();
	if (LIST_TYPES.has(field.dataType)) return [...new Set(typeof value === 'string' ? [value] : value)];
	return value;
}

// ---------------------------------------------------------------------------------------------------------------
// search: POST /contacts/search (contacts-search.md)
// ---------------------------------------------------------------------------------------------------------------

const SEARCH_KEYS = ['locationId', 'page', 'pageLimit', 'searchAfter', 'filters', 'sort', 'query'];
const OPERATORS = ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists', 'range'];
const RANGE_KEYS = ['gte', 'lte', 'gt', 'lt'];

function digits(text) {
	return String(text).replace(/\D/g, '');
}
const lower = (value) => (typeof value === 'string' ? value.toLowerCase() : undefined);
const dateMs = (value) => {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value !== 'string') return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : ms;
};
/** A contact's dateAdded or dateUpdated in milliseconds, parsed once per value: a search reads every contact's. */
const parsedDates = new WeakMap();
function contactDate(contact, key) {
	let cache = parsedDates.get(contact);
	if (cache === undefined) parsedDates.set(contact, (cache = {}));
	const text = contact[key];
	const entry = cache[key];
	if (entry !== undefined && entry.text === text) return entry.ms;
	const ms = dateMs(text);
	cache[key] = { text, ms };
	return ms;
}
/**
 * The fields a filter may name, each with its kind (which operators and values it takes) and how a contact's value
 * is read. contacts-search.md: "Filterable fields include email, phone, tags, dateAdded, firstNameLowerCase,
 * lastNameLowerCase, dnd, and custom fields as customFields.<customFieldId>"; the sandbox adds id, dateUpdated and
 * fullNameLowerCase, and refuses the rest (its own rule).
 */
const SEARCH_FIELDS = {
	id: { kind: 'text', exact: true, get: (c) => c.id },
	email: { kind: 'text', get: (c) => c.emailLowerCase },
	phone: { kind: 'phone', get: (c) => c.phone },
	tags: { kind: 'list', get: (c) => c.tags },
	dateAdded: { kind: 'date', get: (c) => contactDate(c, 'dateAdded') },
	dateUpdated: { kind: 'date', get: (c) => contactDate(c, 'dateUpdated') },
	firstNameLowerCase: { kind: 'text', get: (c) => c.firstNameLowerCase },
	lastNameLowerCase: { kind: 'text', get: (c) => c.lastNameLowerCase },
	fullNameLowerCase: { kind: 'text', get: (c) => c.fullNameLowerCase },
	dnd: { kind: 'boolean', get: (c) => c.dnd === true },
};
/** The fields `sort` takes (the document names none): the dates, the lower-case names and the email. */
const SORT_FIELDS = {
	dateAdded: { kind: 'date', get: (c) => contactDate(c, 'dateAdded') },
	dateUpdated: { kind: 'date', get: (c) => contactDate(c, 'dateUpdated') },
	firstNameLowerCase: { kind: 'text', get: (c) => c.firstNameLowerCase ?? null },
	lastNameLowerCase: { kind: 'text', get: (c) => c.lastNameLowerCase ?? null },
	fullNameLowerCase: { kind: 'text', get: (c) => c.fullNameLowerCase ?? null },
	email: { kind: 'text', get: (c) => c.emailLowerCase ?? null },
};
const DEFAULT_SORT = [{ field: 'dateAdded', direction: 'desc' }];
const KIND_OPERATORS = {
	text: ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists'],
	phone: ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists'],
	list: ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists'],
	date: ['range', 'exists', 'not_exists'],
	number: ['eq', 'not_eq', 'range', 'exists', 'not_exists'],
	boolean: ['eq', 'not_eq', 'exists', 'not_exists'],
	file: ['exists', 'not_exists'],
};
const CUSTOM_KINDS = {
	TEXT: 'text',
	LARGE_TEXT: 'text',
	SINGLE_OPTIONS: 'text',
	RADIO: 'text',
	PHONE: 'phone',
	NUMERICAL: 'number',
	MONETORY: 'number',
	DATE: 'date',
	CHECKBOX: 'list',
	MULTIPLE_OPTIONS: 'list',
	FILE_UPLOAD: 'file',
};

/** A kept number (text, or a number a test put there) as a number, or null. */
function numberOf(value) {
	const n = typeof value === 'number' ? value : isNumberValue(value) ? Number(value) : NaN;
	return Number.isFinite(n) ? n : null;
}

/** The field a filter names (a custom field of the location too), or undefined. */
function searchField(name, customFields) {
	if (Object.hasOwn(SEARCH_FIELDS, name)) return SEARCH_FIELDS[name];
	if (!name.startsWith('customFields.')) return undefined;
	const id = name.slice('customFields.'.length);
	const field = customFields.find((f) => f.id === id && f.model === 'contact');
	if (!field) return undefined;
	const kind = CUSTOM_KINDS[field.dataType];
	const read = (c) => c.customFields?.find((f) => f.id === id)?.value;
	if (kind === 'date') return { kind, get: (c) => dateMs(read(c)) };
	if (kind === 'number') return { kind, get: (c) => numberOf(read(c)) };
	if (kind === 'list') return { kind, get: (c) => (Array.isArray(read(c)) ? read(c).map(lower) : undefined) };
	if (kind === 'text') return { kind, get: (c) => lower(read(c)) };
	return { kind, get: read };
}

/**
 * Reads a search body. Returns { errors, rules } (rules: the sandbox's own ones among the reasons: 'bounds',
 * 'fields', 'unknownProperty') or { plan }.
 * @param {any} body
 * @param {any[]} customFields the location's custom field definitions
 */
function parseSearch(body, customFields = []) {
	if (!isPlainObject(body)) return { errors: ['the request body must be a JSON object'], rules: [] };
	// Bounds first, before any other reading of the body.
	const bounds = searchBoundsProblem(body);
	if (bounds) return { errors: [bounds], rules: ['bounds'] };

	const errors = [];
	const rules = new Set();
	for (const key of Object.keys(body)) {
		if (!SEARCH_KEYS.includes(key)) {
			errors.push(`property ${key} should not exist`);
			rules.add('unknownProperty');
		}
	}
	const { locationId, page, pageLimit, searchAfter, query } = body;
	if (locationId === undefined || locationId === null || locationId === '')
		errors.push('locationId should not be empty');
	if (locationId !== undefined && locationId !== null && typeof locationId !== 'string')
		errors.push('locationId must be a string');
	const limitOk = integerProblems(pageLimit, 'pageLimit', { required: true, max: MAX_PAGE_LIMIT }, errors);
	const pageOk = integerProblems(page, 'page', {}, errors);
	if (page !== undefined && page !== null && searchAfter !== undefined && searchAfter !== null) {
		errors.push(
			'page and searchAfter cannot be used together: searchAfter continues after a contact, page counts from the start',
		);
	}
	if (limitOk && pageOk && page !== undefined && page !== null && page * pageLimit > MAX_STANDARD_RECORDS) {
		errors.push(
			`page * pageLimit must not be greater than ${MAX_STANDARD_RECORDS}: standard paging reaches the first ${MAX_STANDARD_RECORDS} records only, use searchAfter beyond`,
		);
	}
	if (query !== undefined && query !== null) {
		if (typeof query !== 'string') errors.push('query must be a string');
		else if (query.length > MAX_SEARCH_TEXT)
			errors.push(`query must be shorter than or equal to ${MAX_SEARCH_TEXT} characters`);
	}

	const sort = readSort(body.sort, errors, rules);
	let cursor;
	if (searchAfter !== undefined && searchAfter !== null && sort) cursor = readCursor(searchAfter, sort, errors);

	let predicate = () => true;
	if (body.filters !== undefined && body.filters !== null) {
		if (!Array.isArray(body.filters)) errors.push('filters must be an array');
		else predicate = readGroup('AND', body.filters, 'filters', customFields, errors, rules);
	}
	if (errors.length) return { errors: [...new Set(errors)], rules: [...rules] };

	const text = typeof query === 'string' ? query.trim().toLowerCase() : '';
	const matchesQuery = text ? queryMatcher(text) : () => true;
	return {
		plan: {
			locationId,
			pageLimit,
			page: page ?? 1,
			cursor,
			sort,
			matches: (c) => matchesQuery(c) && predicate(c),
		},
	};
}

/** The sandbox's own bounds on a search body: counted without recursion, stopping at the first one crossed. */
function searchBoundsProblem(body) {
	if (Array.isArray(body.sort) && body.sort.length > MAX_SORT)
		return `sort must contain no more than ${MAX_SORT} elements`;
	if (Array.isArray(body.searchAfter) && body.searchAfter.length > MAX_SORT + 1) {
		return `searchAfter must contain no more than ${MAX_SORT + 1} elements`;
	}
	if (!Array.isArray(body.filters)) return undefined;
	let count = 0;
	const stack = [{ list: body.filters, depth: 1 }];
	while (stack.length) {
		const { list, depth } = stack.pop();
		if (depth > MAX_GROUP_DEPTH) return `filters must not nest groups more than ${MAX_GROUP_DEPTH} deep`;
		count += list.length;
		if (count > MAX_FILTERS) return `filters must contain no more than ${MAX_FILTERS} filters in all, groups included`;
		for (const item of list) {
			if (!isPlainObject(item)) continue;
			if (Array.isArray(item.filters)) stack.push({ list: item.filters, depth: depth + 1 });
			if (Array.isArray(item.value) && item.value.length > MAX_FILTER_VALUES) {
				return `a filter's value must contain no more than ${MAX_FILTER_VALUES} elements`;
			}
		}
	}
	return undefined;
}

/** class-validator's messages for an integer with @Min(1) (and @Max); true when the value is usable. */
function integerProblems(value, path, { required = false, max }, errors) {
	if (value === undefined || value === null) {
		if (required) errors.push(`${path} should not be empty`);
		return false;
	}
	if (typeof value !== 'number' || !Number.isInteger(value)) {
		errors.push(`${path} must be an integer number`);
		return false;
	}
	if (value < 1) errors.push(`${path} must not be less than 1`);
	if (max !== undefined && value > max) errors.push(`${path} must not be greater than ${max}`);
	return value >= 1 && (max === undefined || value <= max);
}

/** [{field, get, kind, desc}] of the search (default: dateAdded desc), or undefined after an error. */
function readSort(sort, errors, rules) {
	if (sort === undefined || sort === null || (Array.isArray(sort) && sort.length === 0)) sort = DEFAULT_SORT;
	if (!Array.isArray(sort)) return void errors.push('sort must be an array');
	const keys = [];
	sort.forEach((item, i) => {
		if (!isPlainObject(item)) return void errors.push(`sort.${i} must be an object`);
		for (const key of Object.keys(item)) {
			if (key !== 'field' && key !== 'direction') {
				errors.push(`sort.${i}.property ${key} should not exist`);
				rules.add('unknownProperty');
			}
		}
		const field =
			typeof item.field === 'string' && Object.hasOwn(SORT_FIELDS, item.field) ? SORT_FIELDS[item.field] : undefined;
		if (!field) {
			errors.push(`sort.${i}.field must be one of the following values: ${Object.keys(SORT_FIELDS).join(', ')}`);
			rules.add('fields');
		}
		if (item.direction !== 'asc' && item.direction !== 'desc')
			errors.push(`sort.${i}.direction must be one of the following values: asc, desc`);
		if (field) keys.push({ ...field, desc: item.direction === 'desc' });
	});
	return keys.length === sort.length ? keys : undefined;
}

/** A searchAfter value: one value per sort field (a number for dates, a string or null otherwise), then the id. */
function readCursor(value, sort, errors) {
	const shape = `[${sort.map((k) => (k.kind === 'date' ? 'number' : 'string')).join(', ')}, id]`;
	const problem = `searchAfter must be the searchAfter of a contact of this search: ${shape}`;
	if (!Array.isArray(value) || value.length !== sort.length + 1) return void errors.push(problem);
	const id = value[sort.length];
	if (typeof id !== 'string' || id.length > 100) return void errors.push(problem);
	for (let i = 0; i < sort.length; i++) {
		const v = value[i];
		const ok =
			v === null ||
			(sort[i].kind === 'date'
				? typeof v === 'number' && Number.isFinite(v)
				: typeof v === 'string' && v.length <= 1000);
		if (!ok) return void errors.push(problem);
	}
	return value;
}

/** A predicate for a group of filters (the top level is an AND group), checking each filter as it goes. */
function readGroup(group, filters, path, customFields, errors, rules) {
	const predicates = filters.map((filter, i) => readFilter(filter, `${path}.${i}`, customFields, errors, rules));
	return group === 'OR' ? (c) => predicates.some((p) => p(c)) : (c) => predicates.every((p) => p(c));
}

function readFilter(filter, path, customFields, errors, rules) {
	const fail = (message) => {
		errors.push(message);
		return () => false;
	};
	const unknownKeys = (allowed) => {
		for (const key of Object.keys(filter)) {
			if (!allowed.includes(key)) {
				errors.push(`${path}.property ${key} should not exist`);
				rules.add('unknownProperty');
			}
		}
	};
	if (!isPlainObject(filter)) return fail(`${path} must be an object`);
	if (filter.group !== undefined) {
		unknownKeys(['group', 'filters']);
		if (filter.group !== 'AND' && filter.group !== 'OR')
			errors.push(`${path}.group must be one of the following values: AND, OR`);
		if (!Array.isArray(filter.filters)) return fail(`${path}.filters must be an array`);
		if (filter.filters.length === 0) return fail(`${path}.filters should not be empty`);
		return readGroup(filter.group, filter.filters, `${path}.filters`, customFields, errors, rules);
	}
	unknownKeys(['field', 'operator', 'value']);
	const { operator, value } = filter;
	if (typeof filter.field !== 'string' || filter.field === '') return fail(`${path}.field should not be empty`);
	if (filter.field.length > 200) return fail(`${path}.field must be shorter than or equal to 200 characters`);
	const field = searchField(filter.field, customFields);
	if (!field) {
		rules.add('fields');
		return fail(
			`${path}.field must be one of ${Object.keys(SEARCH_FIELDS).join(', ')} or customFields.<id of a contact custom field of this location>`,
		);
	}
	if (!OPERATORS.includes(operator))
		return fail(`${path}.operator must be one of the following values: ${OPERATORS.join(', ')}`);
	const allowed = KIND_OPERATORS[field.kind];
	if (!allowed.includes(operator))
		return fail(`${path}.operator must be one of the following values for ${filter.field}: ${allowed.join(', ')}`);
	if (operator === 'exists' || operator === 'not_exists') {
		if (value !== undefined && value !== null) return fail(`${path}.value should not exist with ${operator}`);
		const has = (c) => present(field.get(c));
		return operator === 'exists' ? has : (c) => !has(c);
	}
	const problem =
		operator === 'range'
			? rangeProblem(field, value, `${path}.value`)
			: matchProblem(field, operator, value, `${path}.value`);
	if (problem) return fail(problem);
	return operator === 'range' ? rangeFilter(field, value) : matchFilter(field, operator, value);
}

function present(value) {
	if (value === undefined || value === null || value === '') return false;
	return !Array.isArray(value) || value.length > 0;
}

/** What is wrong with the value of eq, not_eq, contains or not_contains on this field, or undefined. */
function matchProblem(field, operator, value, path) {
	const contains = operator.endsWith('contains');
	if (field.kind === 'boolean') return typeof value === 'boolean' ? undefined : `${path} must be a boolean value`;
	if (field.kind === 'number')
		return isNumberValue(value) ? undefined : `${path} must be a number conforming to the specified constraints`;
	const listValue = field.kind === 'list' && !contains;
	if (listValue && Array.isArray(value) && value.length === 0) return `${path} should not be empty`;
	for (const v of listValue && Array.isArray(value) ? value : [value]) {
		if (typeof v !== 'string') return `${path} must be a string${listValue ? ' or an array of strings' : ''}`;
		if (v.length > MAX_SEARCH_TEXT) return `${path} must be shorter than or equal to ${MAX_SEARCH_TEXT} characters`;
		if (contains && !PLAIN_TEXT_RE.test(v)) {
			return `${path} must not contain special characters with ${operator} (letters, digits, spaces and @ . _ + - ' only)`;
		}
	}
	return undefined;
}

/** eq, not_eq, contains, not_contains on a text, phone, list, number or boolean field (its value checked). */
function matchFilter(field, operator, value) {
	const negate = operator.startsWith('not_');
	const contains = operator.endsWith('contains');
	const wrap = (test) => (negate ? (c) => !test(c) : test);
	if (field.kind === 'boolean') return wrap((c) => field.get(c) === value);
	if (field.kind === 'number') {
		const wanted = Number(value);
		return wrap((c) => field.get(c) === wanted);
	}
	if (field.kind === 'phone') {
		const wanted = digits(value);
		return wrap((c) => {
			const have = field.get(c);
			if (!wanted || typeof have !== 'string') return false;
			return contains ? digits(have).includes(wanted) : digits(have) === wanted;
		});
	}
	if (field.kind === 'list') {
		const wanted = (Array.isArray(value) ? value : [value]).map(normalizeTag);
		return wrap((c) => {
			const have = field.get(c);
			if (!Array.isArray(have)) return false;
			return have.some(
				(t) =>
					typeof t === 'string' && (contains ? t.toLowerCase().includes(wanted[0]) : wanted.includes(t.toLowerCase())),
			);
		});
	}
	const wanted = field.exact ? value : value.toLowerCase();
	return wrap((c) => {
		const have = field.get(c);
		return typeof have === 'string' && (contains ? have.includes(wanted) : have === wanted);
	});
}

/** What is wrong with the value of range on a date (ISO 8601 or epoch milliseconds) or number field, or undefined. */
function rangeProblem(field, value, path) {
	if (!isPlainObject(value) || Object.keys(value).length === 0)
		return `${path} must be an object with gte, lte, gt or lt`;
	for (const [key, bound] of Object.entries(value)) {
		if (!RANGE_KEYS.includes(key)) return `${path}.property ${key} should not exist`;
		if (field.kind === 'date' && !isDateValue(bound))
			return `${path}.${key} must be a valid ISO 8601 date string or a time in milliseconds`;
		if (field.kind !== 'date' && !isNumberValue(bound))
			return `${path}.${key} must be a number conforming to the specified constraints`;
	}
	return undefined;
}

function rangeFilter(field, value) {
	const bound = (key) =>
		value[key] === undefined ? undefined : field.kind === 'date' ? dateMs(value[key]) : Number(value[key]);
	const [gte, lte, gt, lt] = RANGE_KEYS.map(bound);
	return (c) => {
		const v = field.get(c);
		if (typeof v !== 'number') return false;
		return (
			(gte === undefined || v >= gte) &&
			(lte === undefined || v <= lte) &&
			(gt === undefined || v > gt) &&
			(lt === undefined || v < lt)
		);
	};
}

/** The full-text `query`: in the name, the email, the company name, or the phone's digits for a phone-like query. */
function queryMatcher(text) {
	const phoneDigits = PHONE_TEXT_RE.test(text) ? digits(text) : '';
	return (c) =>
		Boolean(c.fullNameLowerCase?.includes(text)) ||
		Boolean(c.emailLowerCase?.includes(text)) ||
		Boolean(lower(c.companyName)?.includes(text)) ||
		(phoneDigits.length > 0 && typeof c.phone === 'string' && digits(c.phone).includes(phoneDigits));
}

/** Orders two sort keys ([...values, id]): each value in its direction with null (missing) last, then the id. */
function compareKeys(a, b, sort) {
	for (let i = 0; i < sort.length; i++) {
		const x = a[i];
		const y = b[i];
		if (x === y) continue;
		if (x === null) return 1;
		if (y === null) return -1;
		const order = x < y ? -1 : 1;
		return sort[i].desc ? -order : order;
	}
	const x = a[sort.length];
	const y = b[sort.length];
	return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * Runs a plan over the location's contacts: { page: [{contact, searchAfter}], total }. `total` counts every
 * match; a page starts after the cursor (searchAfter) or at (page - 1) * pageLimit. One pass: each match's key is
 * built in a scratch array and kept only if it can still make the page (after the cursor, and before the last key
 * of the pool once the pool has been cut down to the records wanted), so a page of 25,000 costs little memory.
 */
function runSearch(contacts, plan) {
	const { cursor, sort } = plan;
	const getters = sort.map((k) => k.get);
	const n = getters.length;
	const start = cursor ? 0 : (plan.page - 1) * plan.pageLimit;
	const wanted = start + plan.pageLimit;
	const order = (a, b) => compareKeys(a.searchAfter, b.searchAfter, sort);
	const scratch = new Array(n + 1);
	const pool = [];
	let bound; // after a cut: the last key kept; a key after it cannot make the page
	let total = 0;
	for (const contact of contacts) {
		if (!plan.matches(contact)) continue;
		total++;
		for (let i = 0; i < n; i++) scratch[i] = getters[i](contact) ?? null;
		scratch[n] = contact.id;
		if (cursor && compareKeys(scratch, cursor, sort) <= 0) continue;
		if (bound && compareKeys(scratch, bound, sort) > 0) continue;
		pool.push({ contact, searchAfter: scratch.slice() });
		if (pool.length >= 2 * wanted + 1000) {
			selectSmallest(pool, wanted, order);
			pool.length = wanted;
			bound = pool.reduce(
				(last, m) => (compareKeys(m.searchAfter, last, sort) > 0 ? m.searchAfter : last),
				pool[0].searchAfter,
			);
		}
	}
	const kept = Math.min(pool.length, wanted);
	selectSmallest(pool, kept, order);
	return { page: pool.slice(0, kept).sort(order).slice(start), total };
}

/** Moves the k smallest items (by `cmp`, which orders no two items alike) to the front of `items` (quickselect). */
function selectSmallest(items, k, cmp) {
	let lo = 0;
	let hi = items.length - 1;
	while (k > 0 && k < items.length && lo < hi) {
		const pivot = items[(lo + hi) >>> 1];
		let i = lo;
		let j = hi;
		while (i <= j) {
			while (cmp(items[i], pivot) < 0) i++;
			while (cmp(items[j], pivot) > 0) j--;
			if (i <= j) {
				const swap = items[i];
				items[i] = items[j];
				items[j] = swap;
				i++;
				j--;
			}
		}
		// items[lo..j] come before items[i..hi]; between them (if i = j + 2) the pivot, in its place
		if (k - 1 <= j) hi = j;
		else if (k - 1 >= i) lo = i;
		else return;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// seeded contacts
// ---------------------------------------------------------------------------------------------------------------

const FIRST_NAMES = [
	...['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Linus', 'Margaret', 'Tim'],
	...['Radia', 'Ken', 'Hedy', 'John', 'Sophie', 'Dennis', 'Karen', 'Niklaus', 'Mary'],
];
const LAST_NAMES = [
	...['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Torvalds', 'Hamilton'],
	...['Berners-Lee', 'Perlman', 'Thompson', 'Lamarr', 'McCarthy', 'Wilson', 'Ritchie', 'Spärck Jones', 'Wirth'],
	...['Keller', "O'Neil", 'Goldberg', 'Kay'],
];
const FIRST_LOWER = FIRST_NAMES.map((name) => name.toLowerCase());
const LAST_LOWER = LAST_NAMES.map((name) => name.toLowerCase());
/** The names as an email's local part takes them: lower case, letters only ("Spärck Jones" -> "sprckjones"). */
const EMAIL_FIRST = FIRST_LOWER.map((name) => name.replace(/[^a-z]/g, ''));
const EMAIL_LAST = LAST_LOWER.map((name) => name.replace(/[^a-z]/g, ''));
const HOUR_MS = 60 * 60 * 1000;
/** dateAdded spreads over this many hours back from now (two years): contact n and n + 17,520 share one. */
const SEED_SPREAD_HOURS = 2 * 365 * 24;

/** `count` ids like HighLevel's (20 characters of [A-Za-z0-9]) from one random draw. */
function randomIds(count) {
	const bytes = crypto.randomBytes(20 * count);
	const ids = new Array(count);
	for (let i = 0; i < count; i++) {
		let id = '';
		for (let j = 0; j < 20; j++) id += ID_ALPHABET[bytes[i * 20 + j] % ID_ALPHABET.length];
		ids[i] = id;
	}
	return ids;
}

/**
 * `count` varied contacts for a location, numbered from `first` (so a second batch never repeats an email or a
 * phone): names from two lists, an email each (one in ten with capitals), a phone for three in four, tags
 * (rankr, vip, inactive, top-10 by turns), dnd for one in thirteen, dateAdded one hour apart over two years back
 * from `now` (so some share a dateAdded and the id decides their order), and values for the location's contact
 * custom fields in every other contact.
 */
function seedContactRecords({ locationId, count, first, now, customFields = [], ids }) {
	const fields = customFields.filter((f) => f.model === 'contact');
	const contacts = new Array(count);
	for (let i = 0; i < count; i++) {
		const n = first + i;
		const a = n % FIRST_NAMES.length;
		const b = Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length;
		const local = `${EMAIL_FIRST[a]}.${EMAIL_LAST[b]}.${n}`;
		const email = n % 10 === 0 ? `${local[0].toUpperCase()}${local.slice(1)}@Example.com` : `${local}@example.com`;
		const tags = [];
		if (n % 3 === 0) tags.push('rankr');
		if (n % 5 === 0) tags.push('vip');
		if (n % 7 === 0) tags.push('inactive');
		if (n % 11 === 0) tags.push('top-10');
		const added = new Date(now - (n % SEED_SPREAD_HOURS) * HOUR_MS).toISOString();
		const contact = {
			id: ids[i],
			locationId,
			type: 'lead',
			firstName: FIRST_NAMES[a],
			lastName: LAST_NAMES[b],
			name: `${FIRST_NAMES[a]} ${LAST_NAMES[b]}`,
			email,
			tags,
			customFields: n % 2 === 0 ? fields.map((f) => ({ id: f.id, value: seededValue(f, n) })) : [],
			dnd: n % 13 === 0,
			source: 'sandbox seed',
			dateAdded: added,
			dateUpdated: added,
			emailLowerCase: email.toLowerCase(),
			firstNameLowerCase: FIRST_LOWER[a],
			lastNameLowerCase: LAST_LOWER[b],
			fullNameLowerCase: `${FIRST_LOWER[a]} ${LAST_LOWER[b]}`,
		};
		if (n % 4 !== 3) contact.phone = `+1555${String(n % 10000000).padStart(7, '0')}`;
		contacts[i] = contact;
	}
	return contacts;
}

function seededValue(field, n) {
	const options = field.picklistOptions ?? [];
	switch (field.dataType) {
		case 'NUMERICAL':
		case 'MONETORY':
			return String(n % 100);
		case 'DATE':
			return new Date(Date.UTC(2020, 0, 1) + (n % 1000) * 24 * HOUR_MS).toISOString().slice(0, 10);
		case 'CHECKBOX':
		case 'MULTIPLE_OPTIONS':
			return [options[n % options.length]];
		case 'SINGLE_OPTIONS':
		case 'RADIO':
			return options[n % options.length];
		case 'FILE_UPLOAD':
			return {};
		case 'PHONE':
			return `+1444${String(n % 10000000).padStart(7, '0')}`;
		default:
			return `value ${n}`;
	}
}

module.exports = {
	CUSTOM_FIELD_TYPES,
	contactBoundsProblem,
	MAX_PAGE_LIMIT,
	MAX_STANDARD_RECORDS,
	MAX_TAGS,
	MAX_TAG_LENGTH,
	makeCustomField,
	normalizeTags,
	normalizeTag,
	parseSearch,
	randomIds,
	resolveCustomFieldValues,
	runSearch,
	seedContactRecords,
	tagBoundsProblem,
};
