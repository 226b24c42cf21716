// Sandbox: a local Email API (HighLevel v2); for npm run sandbox, the demo, the jest suites, the bench.
// A local "Email API": HighLevel's API v2 (https://services.leadconnectorhq.com), written from HighLevel's own
// OpenAPI documents (users, workflows, contacts, locations, courses, oauth, common schemas), contacts-search.md,
// Authorization.md (OAuth 2.0, rate limits) and Scopes.md. It mirrors the vendor's contract, never our client:
// nothing here imports package code.
//
// Order of the checks on every API route (the documents are silent on the order; this is the sandbox's choice):
//   1. Authorization: Bearer <token>  missing/unknown -> 401 UnauthorizedDTO, expired -> 401 "Invalid JWT: ... expired"
//   2. rate limit per app and resource (location, or company for an agency token): 429 + Retry-After.
//      From here on every answer carries the X-RateLimit-* headers of Authorization.md.
//   3. Version: the documented version (DOCUMENTED_VERSION) or 2023-02-21 (what HighLevel's own SDK sends by default, which
//      the real API accepts); missing/other -> 400 BadRequestDTO. The request log keeps which one came, so tests
//      can hold the package to the documents' value.
//   4. token class (Sub-Account "Location" vs Agency "Company") and scope -> 401
//   5. body (invalid JSON -> 400) and DTO validation like NestJS's ValidationPipe (whitelist + forbidNonWhitelisted)
//      -> 422 UnprocessableDTO with class-validator's messages
//   6. the operation: access to another location/company -> 403, unknown ids -> `notFoundStatus` (400 by default:
//      the spec documents only 400/401/422 for these routes), duplicates -> 400, custom field values that do not
//      fit the location's fields -> 422.
// POST /contacts/search documents 400 and 401 only: a body contacts-search.md does not allow is refused with 400 and
// class-validator's messages, as NestJS's ValidationPipe answers by default. Search, tags, custom fields and seeded
// contacts are in emailapi-contacts.js.
// Unknown routes answer 404 {statusCode, message: 'Cannot GET /x', error: 'Not Found'} (NestJS) before any check.
'use strict';
const crypto = require('node:crypto');
const { SandboxServer, parseJson, stricter } = require('./sandbox-server');
const contactsKit = require('./emailapi-contacts');

/** The Version header HighLevel's documents give: the one place the harness (scripts/ and test/) spells it. */
const DOCUMENTED_VERSION = '2021-07-28';
/** Every Version the sandbox answers: the documents' value first, then @gohighlevel/api-client 3.x's default. */
const ACCEPTED_VERSIONS = [DOCUMENTED_VERSION, '2023-02-21'];
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;
const EMAIL_RE = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]{2,}$/;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The OAuth/token scopes of the routes this sandbox serves (Scopes.md). */
const API_SCOPES = [
	'users.readonly', 'users.write', 'workflows.readonly', 'contacts.readonly', 'contacts.write', 'courses.write', 'oauth.readonly', 'oauth.write',
	'locations/customFields.readonly',
];

const MESSAGES = {
	invalidToken: 'Invalid token: access token is invalid',
	expiredToken: 'Invalid JWT: the access token has expired',
	scope: 'The token is not authorized for this scope.',
	authClass: 'This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.',
	location: 'The token does not have access to this location.',
	company: 'The token does not have access to this company.',
	versionMissing: 'Version header was not found',
	versionInvalid: `Version header is invalid: this API accepts Version: ${ACCEPTED_VERSIONS.join(' or ')}`,
	tooMany: 'Too many requests',
	duplicateUser: 'User with this email already exists',
	emailUpdate: 'Email update is no longer supported due to security reasons.',
	duplicateContact: 'This location does not allow duplicated contacts.',
};

/** Where the sandbox refuses more than HighLevel's documents say (sent in the x-sandbox-stricter header). */
const STRICTER_RULES = {
	version: `Version: the documents give ${DOCUMENTED_VERSION} and HighLevel's SDK sends 2023-02-21; the sandbox refuses every other value, which HighLevel may accept`,
	unknownProperty: 'unknown body properties are refused on every route (NestJS forbidNonWhitelisted); HighLevel may ignore them on some routes',
	bounds: 'bodies are bounded where the documents give no bound: 1000 tags of 255 characters, 500 custom field values; a search takes 100 filters in all, groups 5 deep, 3 sort fields',
	fields: 'search filters and sort take only the fields the sandbox knows (the documents say the filterable fields "include" these) and custom fields the location has',
	customFields: "custom field values must name a contact custom field of the location and fit its dataType; the documents do not say how HighLevel answers one that does not",
};

// The values UserSchema/CreateUserDto allow in a user's `scopes` (users.json; the same 189 in every DTO).
const USER_SCOPES = (
	'campaigns.readonly campaigns.write calendars.readonly calendars/events.write calendars/groups.write calendars.write contacts.write ' +
	'contacts/bulkActions.write workflows.readonly workflows.write triggers.write funnels.write forms.write surveys.write quizzes.write ' +
	'websites.write medias.write medias.readonly opportunities.write opportunities/leadValue.readonly opportunities/bulkActions.write ' +
	'reporting/phone.readonly reporting/adwords.readonly reporting/facebookAds.readonly reporting/attributions.readonly ' +
	'prospecting/auditReport.write reporting/reports.readonly reporting/agent.readonly reporting/reports.write reporting/stats.export ' +
	'payments.write payments/records.write payments/orders.readonly payments/orders.export payments/orders.import ' +
	'payments/orders.collectPayment payments/subscriptions.readonly payments/subscriptions.write payments/subscriptions.update ' +
	'payments/subscriptions.export payments/subscriptions.pauseResumeCancel payments/subscriptions.sharePaymentMethod ' +
	'payments/transactions.readonly payments/transactions.export payments/transactions.import payments/transactions.refund ' +
	'payments/transactions.viewReceipts payments/taxesSettings.readonly payments/settings.readonly ' +
	'payments/taxesSettings.updateInclusiveExclusive payments/taxesSettings.manageRates payments/taxesSettings.configureAutomatic ' +
	'products.readonly products.write products.delete products.duplicate products.bulkActions payments/settings.write ' +
	'payments/settings.configureReceipt payments/settings.configureSubscription invoices.write invoices.readonly invoices/schedule.readonly ' +
	'invoices/schedule.write invoices/template.readonly invoices/template.write reputation/review.write reputation/listing.write ' +
	'reputation/reviewsAIAgents.write reputation/gbp.write conversations.write conversations.readonly conversations/message.readonly ' +
	'conversations/message.write contentAI.write dashboard/stats.readonly locations/tags.write locations/tags.readonly marketing.write ' +
	'eliza.write settings.write socialplanner/post.write socialplanner/account.readonly socialplanner/account.write ' +
	'socialplanner/category.readonly socialplanner/category.write socialplanner/csv.readonly socialplanner/csv.write socialplanner/group.write ' +
	'socialplanner/hashtag.readonly socialplanner/hashtag.write socialplanner/oauth.readonly socialplanner/oauth.write ' +
	'socialplanner/post.readonly socialplanner/recurring.readonly socialplanner/recurring.write socialplanner/review.readonly ' +
	'socialplanner/review.write socialplanner/rss.readonly socialplanner/rss.write socialplanner/search.readonly socialplanner/setting.readonly ' +
	'socialplanner/setting.write socialplanner/stat.readonly socialplanner/tag.readonly socialplanner/tag.write socialplanner/filters.readonly ' +
	'socialplanner/medias.readonly socialplanner/medias.write socialplanner/watermarks.readonly socialplanner/watermarks.write ' +
	'socialplanner/metatag.readonly socialplanner/facebook.readonly socialplanner/linkedin.readonly socialplanner/twitter.readonly ' +
	'socialplanner/notification.readonly socialplanner/notification.write socialplanner/snapshot.readonly socialplanner/snapshot.write ' +
	'marketing/affiliate.write blogs.write membership.write communities.write gokollab.write certificates.write certificates.readonly ' +
	'adPublishing.write adPublishing.readonly prospecting.write prospecting.readonly prospecting/reports.readonly ' +
	'private-integration-location.readonly private-integration-location.write private-integration-company.readonly ' +
	'private-integration-company.write native-integrations.readonly native-integrations.write wordpress.write wordpress.read ' +
	'custom-menu-link.write qrcodes.write users/team-management.write users/team-management.readonly loginas.write ' +
	'users-sso-login-management.write users-sso-login-management.readonly sso-config.write snapshots/api.readonly snapshots/api.create ' +
	'snapshots/api.edit snapshots/api.push snapshots/api.refresh snapshots/api.share snapshots/api.delete ' +
	'internaltools.location-transfer.write internaltools.location-transfer.readonly affiliateportal.write affiliateportal.readonly ' +
	'companies.write internaltools.billing.write internaltools.billing.readonly internaltools.billing-common.readonly ' +
	'internaltools.billing-common.write voice-ai-agents.write voice-ai-agents.readonly voice-ai-common.readonly voice-ai-common.write ' +
	'voice-ai-agent-goals.readonly voice-ai-agent-goals.write voice-ai-dashboard.readonly agency/launchpad.write agency/launchpad.readonly ' +
	'launchpad/location.write launchpad/location.readonly text-ai-agents.write text-ai-agent-goals.readonly text-ai-agent-goals.write ' +
	'text-ai-agent-training.write text-ai-agents-dashboard.readonly locations.create locations.delete locations.export.list ' +
	'locations.features-limits.manage locations.pause-resume locations.agency-subaccounts.manage locations.billing.manage ' +
	'locations.details.manage audit-logs.readonly audit-logs.export'
).split(' ');

const PLATFORM_LANGUAGES = ['en_US', 'es', 'fr_CA', 'fr_FR', 'nl', 'de', 'pt_PT', 'pt_BR', 'it', 'sv', 'da', 'fi', 'no'];

/** PermissionsDto: every flag with its documented default. */
const PERMISSION_DEFAULTS = {
	campaignsEnabled: true, campaignsReadOnly: false, contactsEnabled: true, workflowsEnabled: true, workflowsReadOnly: false,
	triggersEnabled: true, funnelsEnabled: true, websitesEnabled: false, opportunitiesEnabled: true, dashboardStatsEnabled: true,
	bulkRequestsEnabled: true, appointmentsEnabled: true, reviewsEnabled: true, onlineListingsEnabled: true, phoneCallEnabled: true,
	conversationsEnabled: true, assignedDataOnly: false, adwordsReportingEnabled: false, membershipEnabled: false,
	facebookAdsReportingEnabled: false, attributionsReportingEnabled: false, settingsEnabled: true, tagsEnabled: true,
	leadValueEnabled: true, marketingEnabled: true, agentReportingEnabled: true, botService: false, socialPlanner: true,
	bloggingEnabled: true, invoiceEnabled: true, affiliateManagerEnabled: true, contentAiEnabled: true, refundsEnabled: true,
	recordPaymentEnabled: true, cancelSubscriptionEnabled: true, paymentsEnabled: true, communitiesEnabled: true, exportPaymentsEnabled: true,
};

const COURSE_FILE_TYPES = (
	'pdf image docx pptx xlsx html dotx epub webp gdoc mp3 doc txt zip ppt key htm xls odp odt rtf m4a ods mp4 ai avi mov wmv mkv ' +
	'wav flac ogg png jpeg jpg gif bmp tiff svg odg sxw sxc sxi rar 7z json xml csv md obj stl woff ttf'
).split(' ');

// ---------------------------------------------------------------------------------------------------------------
// DTO validation, with class-validator's default messages as NestJS flattens them ("permissions.x must be ...",
// "products.0.title should not be empty", "property foo should not exist").
// A schema: { t: 'string'|'email'|'boolean'|'number'|'date'|'numberString'|'any'|'object'|'array'|'stringMap',
//             required?, enum?, items?, props?, loose? (object: unknown properties allowed) }
// ---------------------------------------------------------------------------------------------------------------
const str = (extra = {}) => ({ t: 'string', ...extra });
const bool = (extra = {}) => ({ t: 'boolean', ...extra });
const oneOf = (values, extra = {}) => ({ t: 'string', enum: values, ...extra });
const arrayOf = (items, extra = {}) => ({ t: 'array', items, ...extra });
const obj = (props, extra = {}) => ({ t: 'object', props, ...extra });

function typeMessage(schema, path) {
	if (schema.enum) return `${path} must be one of the following values: ${schema.enum.join(', ')}`;
	switch (schema.t) {
		case 'string': return `${path} must be a string`;
		case 'email': return `${path} must be an email`;
		case 'boolean': return `${path} must be a boolean value`;
		case 'number': return `${path} must be a number conforming to the specified constraints`;
		case 'numberString': return `${path} must be a number string`;
		case 'date': return `${path} must be a valid ISO 8601 date string`;
		case 'array': return `${path} must be an array`;
		default: return `${path} must be an object`;
	}
}

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function primitiveOk(schema, value) {
	switch (schema.t) {
		case 'string': return typeof value === 'string' && (!schema.enum || schema.enum.includes(value));
		case 'email': return typeof value === 'string' && value.length <= 254 && EMAIL_RE.test(value); // length first: the regex backtracks
		case 'boolean': return typeof value === 'boolean';
		case 'number': return typeof value === 'number' && Number.isFinite(value);
		case 'numberString': return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value);
		case 'date': return typeof value === 'string' && ISO_DATE_RE.test(value) && !Number.isNaN(Date.parse(value));
		default: return true;
	}
}
const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Validates `value` against `schema` at `path`, pushing messages into `errors`. */
function check(schema, value, path, errors) {
	if (value === undefined || value === null) {
		if (schema.required) {
			errors.push(`${path} should not be empty`);
			if (schema.t !== 'any') errors.push(typeMessage(schema, path));
		}
		return;
	}
	if (schema.t === 'any') return;
	if (schema.t === 'array') {
		if (!Array.isArray(value)) return void errors.push(typeMessage(schema, path));
		if (!schema.items) return;
		value.forEach((item, i) => {
			if (schema.items.t === 'object') {
				if (!isPlainObject(item)) errors.push(`${path}.${i} must be an object`);
				else checkObject(schema.items, item, `${path}.${i}`, errors);
			} else if (!primitiveOk(schema.items, item)) {
				const message = `each value in ${typeMessage(schema.items, path)}`;
				if (!errors.includes(message)) errors.push(message);
			}
		});
		return;
	}
	if (schema.t === 'object') {
		if (!isPlainObject(value)) return void errors.push(typeMessage(schema, path));
		return checkObject(schema, value, path, errors);
	}
	if (schema.t === 'stringMap') {
		if (!isPlainObject(value)) return void errors.push(typeMessage(schema, path));
		for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') errors.push(`${path}.${k} must be a string`);
		return;
	}
	if (schema.required && value === '') errors.push(`${path} should not be empty`);
	if (!primitiveOk(schema, value)) errors.push(typeMessage(schema, path));
}

function checkObject(schema, value, path, errors) {
	const prefix = path ? `${path}.` : '';
	if (!schema.loose) {
		for (const key of Object.keys(value)) if (!(key in schema.props)) errors.push(`${prefix}property ${key} should not exist`);
	}
	for (const [key, propSchema] of Object.entries(schema.props)) check(propSchema, value[key], `${prefix}${key}`, errors);
	if (schema.custom) schema.custom(value, prefix, errors);
}

/** The messages for a request body (undefined when valid). A missing body validates as {}. */
function validateBody(schema, body) {
	const errors = [];
	if (!isPlainObject(body)) errors.push('the request body must be a JSON object');
	else checkObject(schema, body, '', errors);
	return errors.length ? [...new Set(errors)] : undefined;
}

// users.json
const PERMISSIONS = obj(Object.fromEntries(Object.keys(PERMISSION_DEFAULTS).map((k) => [k, bool()])));
const USER_FIELDS = {
	firstName: str(), lastName: str(), email: { t: 'email' }, password: str(), phone: str(),
	type: oneOf(['account', 'agency']), role: oneOf(['admin', 'user']), companyId: str(),
	locationIds: arrayOf(str()), permissions: PERMISSIONS,
	scopes: arrayOf(oneOf(USER_SCOPES)), scopesAssignedToOnly: arrayOf(oneOf(USER_SCOPES)),
	profilePhoto: str(), twilioPhone: { t: 'stringMap' }, platformLanguage: oneOf(PLATFORM_LANGUAGES),
};
const CREATE_USER = obj(Object.fromEntries(Object.entries(USER_FIELDS).map(([k, s]) => [
	k, ['companyId', 'firstName', 'lastName', 'email', 'password', 'type', 'role', 'locationIds'].includes(k) ? { ...s, required: true } : s,
])));
const UPDATE_USER = obj(USER_FIELDS);
const FILTER_BY_EMAIL = obj({
	companyId: str({ required: true }), emails: str({ required: true }), deleted: bool(),
	skip: { t: 'numberString' }, limit: { t: 'numberString' }, projection: str(),
});
const SEARCH_QUERY = obj({
	companyId: str({ required: true }), query: str(), skip: { t: 'numberString' }, limit: { t: 'numberString' }, locationId: str(),
	type: str(), role: str(), ids: str(), sort: str(), sortDirection: oneOf(['asc', 'desc']), enabled2waySync: oneOf(['true', 'false']),
});

// contacts.json
const DND_SETTING = obj({ status: oneOf(['active', 'inactive', 'permanent'], { required: true }), message: str(), code: str() });
const INBOUND_DND_SETTING = obj({ status: oneOf(['active', 'inactive'], { required: true }), message: str() });
const CUSTOM_FIELD = obj(
	{ id: str(), key: str(), field_value: { t: 'any' } },
	{ custom: (value, prefix, errors) => { if (value.id === undefined && value.key === undefined) errors.push(`${prefix}id should not be empty`); } },
);
const CONTACT_FIELDS = {
	firstName: str(), lastName: str(), name: str(), email: { t: 'email' }, phone: str(), address1: str(), city: str(), state: str(),
	postalCode: str(), website: str(), timezone: str(), dnd: bool(),
	dndSettings: obj({ Call: DND_SETTING, Email: DND_SETTING, SMS: DND_SETTING, WhatsApp: DND_SETTING, GMB: DND_SETTING, FB: DND_SETTING }),
	inboundDndSettings: obj({ all: INBOUND_DND_SETTING }),
	tags: arrayOf(str()), customFields: arrayOf(CUSTOM_FIELD), source: str(), dateOfBirth: { t: 'any' }, country: str(), assignedTo: str(),
};
const UPSERT_CONTACT = obj({
	...CONTACT_FIELDS, locationId: str({ required: true }), gender: str(), companyName: str(), createNewIfDuplicateAllowed: bool(),
});
const UPDATE_CONTACT = obj(CONTACT_FIELDS);
const TAGS = obj({ tags: arrayOf(str(), { required: true }) });
const CREATE_WORKFLOW = obj({ eventStartTime: { t: 'date' } });

// courses.json
const VISIBILITY = oneOf(['published', 'draft'], { required: true });
const POST = obj({
	title: str({ required: true }), visibility: VISIBILITY, thumbnailUrl: str(),
	contentType: oneOf(['video', 'assignment', 'quiz'], { required: true }), description: str({ required: true }), bucketVideoUrl: str(),
	postMaterials: arrayOf(obj({ title: str({ required: true }), type: oneOf(COURSE_FILE_TYPES, { required: true }), url: str({ required: true }) })),
});
const SUB_CATEGORY = obj({ title: str({ required: true }), visibility: VISIBILITY, thumbnailUrl: str(), posts: arrayOf(POST) });
const CATEGORY = obj({ title: str({ required: true }), visibility: VISIBILITY, thumbnailUrl: str(), posts: arrayOf(POST), subCategories: arrayOf(SUB_CATEGORY) });
const PRODUCT = obj({
	title: str({ required: true }), description: str({ required: true }), imageUrl: str(),
	categories: arrayOf(CATEGORY, { required: true }),
	instructorDetails: obj({ name: str({ required: true }), description: str({ required: true }) }),
});
const PUBLIC_EXPORTER_PAYLOAD = obj({ locationId: str({ required: true }), userId: str(), products: arrayOf(PRODUCT, { required: true }) });

// locations.json
const CUSTOM_FIELDS_QUERY = obj({ model: oneOf(['contact', 'opportunity', 'all']) });

// oauth.json (the token endpoint ignores parameters it does not know, as RFC 6749 §3.2 asks)
const ACCESS_CODE_BODY = obj({
	client_id: str({ required: true }), client_secret: str({ required: true }),
	grant_type: oneOf(['authorization_code', 'refresh_token', 'client_credentials'], { required: true }),
	code: str(), refresh_token: str(), user_type: oneOf(['Company', 'Location']), redirect_uri: str(),
}, { loose: true });
const LOCATION_TOKEN_BODY = obj({ companyId: str({ required: true }), locationId: str({ required: true }) });
const INSTALLED_LOCATIONS_QUERY = obj({
	skip: { t: 'numberString' }, limit: { t: 'numberString' }, query: str(), isInstalled: oneOf(['true', 'false']),
	companyId: str({ required: true }), appId: str({ required: true }), versionId: str(), onTrial: oneOf(['true', 'false']),
	planId: str(), locationId: str(),
});

// ---------------------------------------------------------------------------------------------------------------

/** Ids like HighLevel's: 20 characters of [A-Za-z0-9]. */
function newId() {
	const bytes = crypto.randomBytes(20);
	let id = '';
	for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
	return id;
}

/** A UUID-shaped id that is the same for the same seed, in every instance (workflow ids are UUIDs in the spec). */
function stableUuid(seed) {
	const h = crypto.createHash('sha1').update(seed).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function b64url(value) {
	return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

const err = (status, message, extra) => ({ status, body: { statusCode: status, message, ...(extra ?? {}) } });
const unprocessable = (messages) => ({ status: 422, body: { statusCode: 422, message: messages, error: 'Unprocessable Entity' } });
const unauthorized = (message) => ({ status: 401, body: { statusCode: 401, message, error: 'Unauthorized' } });

/** Sliding-window limiter: at most `max` answers in any `intervalMs`, and `daily` per UTC day of the sandbox clock. */
class RateLimiter {
	constructor(config, clock) {
		this.config = { ...config };
		this.clock = clock;
		this.buckets = new Map(); // key -> { hits: number[] (timestamps in the window), day, dayCount }
	}
	reset() {
		this.buckets.clear();
	}
	take(key) {
		const { max, intervalMs, daily } = this.config;
		const now = this.clock.now();
		let bucket = this.buckets.get(key);
		if (!bucket) this.buckets.set(key, (bucket = { hits: [], day: Math.floor(now / DAY_MS), dayCount: 0 }));
		while (bucket.hits.length && bucket.hits[0] <= now - intervalMs) bucket.hits.shift();
		const day = Math.floor(now / DAY_MS);
		if (day !== bucket.day) Object.assign(bucket, { day, dayCount: 0 });
		let retryAfterMs;
		if (bucket.dayCount >= daily) retryAfterMs = (day + 1) * DAY_MS - now;
		else if (bucket.hits.length >= max) retryAfterMs = bucket.hits[bucket.hits.length - max] + intervalMs - now;
		else {
			bucket.hits.push(now);
			bucket.dayCount++;
		}
		const headers = {
			'X-RateLimit-Limit-Daily': String(daily),
			'X-RateLimit-Daily-Remaining': String(Math.max(0, daily - bucket.dayCount)),
			'X-RateLimit-Interval-Milliseconds': String(intervalMs),
			'X-RateLimit-Max': String(max),
			'X-RateLimit-Remaining': String(Math.max(0, max - bucket.hits.length)),
		};
		if (retryAfterMs === undefined) return { allowed: true, headers };
		return { allowed: false, headers: { ...headers, 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } };
	}
}

class EmailApiSandbox extends SandboxServer {
	/**
	 * @param {object} [options]
	 * @param {string} [options.locationId]      the default sub-account (location)
	 * @param {string} [options.companyId]       the default agency (company)
	 * @param {Record<string, {scopes: string[], locationId?: string, companyId?: string, userType?: 'Location'|'Company', expiresAt?: number}>} [options.tokens]
	 *        bearer tokens accepted from the start (Private Integration tokens); userType defaults to 'Location'
	 * @param {string} [options.apiKey]          shorthand: one more token with every scope, for the default location
	 * @param {Record<string, {clientSecret: string, scopes?: string[], redirectUris?: string[], userType?: 'Location'|'Company'}>} [options.oauthClients]
	 * @param {number} [options.accessTokenTtlMs] lifetime of OAuth access tokens (expires_in = floor(ttl / 1000))
	 * @param {number} [options.authCodeTtlMs]   lifetime of an authorization code
	 * @param {{max?: number, intervalMs?: number, daily?: number}} [options.rateLimit]
	 * @param {400|404} [options.notFoundStatus] status for unknown user/contact/workflow ids
	 * @param {number} [options.deleteDelayMs]   how long a deleted user stays visible ("Will take effect in a few minutes")
	 * @param {boolean} [options.allowDuplicateContacts] the location's "Allow Duplicate Contact" setting
	 */
	constructor(options = {}) {
		super('emailapi');
		this.locationId = options.locationId ?? 've9EPM428h8vShlRW1KT';
		this.companyId = options.companyId ?? 'UAXssdawIWAWD';
		this.accessTokenTtlMs = options.accessTokenTtlMs ?? 86399000;
		this.authCodeTtlMs = options.authCodeTtlMs ?? 10 * 60 * 1000;
		this.notFoundStatus = options.notFoundStatus ?? 400;
		this.deleteDelayMs = options.deleteDelayMs ?? 0;
		this.allowDuplicateContacts = options.allowDuplicateContacts ?? false;
		this.limiter = new RateLimiter({ max: 100, intervalMs: 10000, daily: 200000, ...(options.rateLimit ?? {}) }, this.clock);
		this.installerUserId = newId(); // "USER ID - Represent user id of person who performed installation"

		this.tokens = new Map(); // token -> { scopes, locationId, companyId, userType, expiresAt, clientId }
		this.oauthClients = new Map(Object.entries(options.oauthClients ?? {}));
		this.authCodes = new Map(); // code -> { clientId, scopes, locationId, companyId, userType, redirectUri, expiresAt }
		this.refreshTokens = new Map(); // refresh token -> { clientId, scopes, locationId, companyId, userType, expiresAt }
		this.locations = new Map(); // locationId -> { _id, name, address, companyId }
		this.addLocation(this.locationId, { name: 'Rankr Sandbox', companyId: this.companyId });
		for (const [token, record] of Object.entries(options.tokens ?? {})) this.addToken(token, record);
		this.apiKey = options.apiKey;
		if (this.apiKey) this.addToken(this.apiKey, { scopes: API_SCOPES });

		this.stats = { requests: 0, rateLimited: 0, unauthorized: 0 };
		/** @type {Map<string, any>} id -> stored user (with companyId, dateAdded, deleted, deleteAt; a password hash, never the password) */
		this.users = new Map();
		/** @type {Map<string, any>} id -> contact (GetContectByIdSchema) */
		this.contacts = new Map();
		/** @type {Map<string, any[]>} locationId -> its custom fields (locations.json CustomFieldSchema), in position order */
		this.customFields = new Map();
		/** How many contacts seedContacts has made since the last reset: the next one's number (emails and phones stay unique). */
		this.seededContactCount = 0;
		/** @type {Map<string, {id: string, name: string, status: string, version: number, createdAt: string, updatedAt: string, locationId: string}>} */
		this.workflows = new Map();
		/** @type {Set<string>} workflows with "Allow re-entry" on: adding a contact already in one enrols (and emails) it again */
		this.reentryWorkflowIds = new Set();
		/** @type {{contactId: string, workflowId: string, locationId: string, status: 'active', enrolledAt: string, eventStartTime?: string}[]} */
		this.enrolments = [];
		/** @type {{to: string, workflowId: string, workflowName: string, contactId: string, locationId: string, at: string, scheduledFor?: string}[]} */
		this.emailsSent = [];
		/** @type {{id: string, locationId: string, userId?: string, products: any[], importedAt: string}[]} */
		this.courseImports = [];
		/** @type {Set<string>} */
		this.seededLocations = new Set();
		this.resetState();
		this.defineRoutes();
		this.defineControlRoutes2();
	}

	// ------------------------------------------------------------------ helpers for tests

	/** Back to a fresh sandbox: data, faults, log, clock, rate-limit counters, stats. Tokens and OAuth clients stay. */
	reset() {
		this.resetState();
		this.limiter.reset();
		this.stats = { requests: 0, rateLimited: 0, unauthorized: 0 };
		super.reset();
	}

	resetState() {
		this.users.clear();
		this.contacts.clear();
		this.customFields.clear();
		this.seededContactCount = 0;
		this.workflows.clear();
		this.reentryWorkflowIds.clear();
		this.enrolments = [];
		this.emailsSent = [];
		this.courseImports = [];
		this.seededLocations.clear();
		for (const locationId of this.locations.keys()) this.seedWorkflows(locationId);
	}

	/** Accepts `token` from now on (a Private Integration token, or an OAuth access token issued elsewhere). */
	addToken(token, { scopes = [], locationId, companyId, userType, expiresAt, ttlMs, clientId } = {}) {
		const type = userType ?? 'Location';
		const record = {
			scopes: [...scopes],
			userType: type,
			companyId: companyId ?? this.companyId,
			locationId: type === 'Location' ? locationId ?? this.locationId : undefined,
			expiresAt: expiresAt ?? (ttlMs === undefined ? undefined : this.clock.now() + ttlMs),
			clientId,
		};
		if (record.locationId) this.addLocation(record.locationId, { companyId: record.companyId });
		this.tokens.set(token, record);
		return token;
	}

	/** Issues a new bearer token with these scopes; { ttlMs, locationId, companyId, userType } as addToken. */
	issueToken(scopes = API_SCOPES, options = {}) {
		return this.addToken(`pit-${crypto.randomUUID()}`, { ...options, scopes });
	}

	/** The token is still known but expired: the API answers 401 "Invalid JWT: the access token has expired". */
	expireToken(token) {
		const record = this.tokens.get(token);
		if (record) record.expiresAt = this.clock.now() - 1;
	}

	/** The token is forgotten (revoked): the API answers 401 "Invalid token: access token is invalid". */
	revokeToken(token) {
		this.tokens.delete(token);
	}

	addOAuthClient(clientId, { clientSecret, scopes, redirectUris, userType } = {}) {
		this.oauthClients.set(clientId, { clientSecret, scopes, redirectUris, userType });
	}

	/**
	 * What the authorization page would give after the admin chose a location: a single-use code.
	 * @param {string} clientId
	 * @param {string[]} [scopes] default: the client's scopes
	 * @param {{locationId?: string, companyId?: string, userType?: 'Location'|'Company', redirectUri?: string, ttlMs?: number}} [options]
	 */
	issueAuthCode(clientId, scopes, options = {}) {
		const client = this.oauthClients.get(clientId);
		if (!client) throw new Error(`unknown OAuth client ${clientId}`);
		const userType = options.userType ?? client.userType ?? 'Location';
		const code = crypto.randomBytes(20).toString('hex');
		this.authCodes.set(code, {
			clientId,
			scopes: [...(scopes ?? client.scopes ?? [])],
			userType,
			companyId: options.companyId ?? this.companyId,
			locationId: userType === 'Location' ? options.locationId ?? this.locationId : undefined,
			redirectUri: options.redirectUri,
			expiresAt: this.clock.now() + (options.ttlMs ?? this.authCodeTtlMs),
		});
		return code;
	}

	setRateLimit(limits) {
		Object.assign(this.limiter.config, limits);
	}

	addLocation(locationId, { name, address, companyId } = {}) {
		const existing = this.locations.get(locationId);
		if (existing) return existing;
		const location = { _id: locationId, name: name ?? `Location ${locationId}`, address: address ?? '', companyId: companyId ?? this.companyId };
		this.locations.set(locationId, location);
		if (this.seededLocations && this.workflows) this.seedWorkflows(locationId);
		return location;
	}

	/**
	 * Adds a workflow to a location (seeded ones: "Welcome", "Re-engagement" published, "Rank Up Announcement"
	 * draft). With allowReentry (HighLevel's "Allow re-entry" setting), adding a contact that is already in it
	 * enrols it again and sends the email again, as HighLevel does: a client that repeats an add sends twice.
	 * @param {{id?: string, name?: string, status?: string, locationId?: string, version?: number, allowReentry?: boolean}} [workflow]
	 */
	addWorkflow({ id, name, status = 'published', locationId = this.locationId, version = 1, allowReentry = false } = {}) {
		const at = new Date(this.clock.now()).toISOString();
		const workflow = { id: id ?? crypto.randomUUID(), name, status, version, createdAt: at, updatedAt: at, locationId };
		this.workflows.set(workflow.id, workflow);
		if (allowReentry) this.reentryWorkflowIds.add(workflow.id);
		return workflow;
	}

	seedWorkflows(locationId) {
		if (this.seededLocations.has(locationId)) return;
		this.seededLocations.add(locationId);
		const seeds = [
			['welcome', 'Welcome', 'published', 3, '2024-01-15T09:00:00.000Z', '2024-03-02T10:30:00.000Z'],
			['re-engagement', 'Re-engagement', 'published', 2, '2024-01-20T14:00:00.000Z', '2024-02-11T08:15:00.000Z'],
			['rank-up', 'Rank Up Announcement', 'draft', 1, '2024-04-05T16:45:00.000Z', '2024-04-05T16:45:00.000Z'],
		];
		for (const [key, name, status, version, createdAt, updatedAt] of seeds) {
			const id = stableUuid(`${locationId}/${key}`);
			this.workflows.set(id, { id, name, status, version, createdAt, updatedAt, locationId });
		}
	}

	/** The seeded workflow ids of a location: { welcome, reengagement, draft }. */
	seededWorkflowIds(locationId = this.locationId) {
		return { welcome: stableUuid(`${locationId}/welcome`), reengagement: stableUuid(`${locationId}/re-engagement`), draft: stableUuid(`${locationId}/rank-up`) };
	}

	/**
	 * Defines custom fields of a location (appended to those it has), as its settings would.
	 * @param {{locationId?: string, fields: {name: string, dataType: string, options?: string[], fieldKey?: string, placeholder?: string, model?: 'contact'|'opportunity', id?: string}[]}} spec
	 *        dataType: TEXT, LARGE_TEXT, NUMERICAL, PHONE, MONETORY, CHECKBOX, SINGLE_OPTIONS, MULTIPLE_OPTIONS, RADIO, DATE, FILE_UPLOAD;
	 *        options (picklistOptions) for CHECKBOX, SINGLE_OPTIONS, MULTIPLE_OPTIONS and RADIO
	 * @returns {any[]} the new fields as GET /locations/{locationId}/customFields lists them
	 */
	defineCustomFields({ locationId = this.locationId, fields } = {}) {
		if (!Array.isArray(fields) || fields.length === 0 || fields.length > 500) throw new Error('give "fields": 1 to 500 custom fields');
		if (typeof locationId !== 'string' || locationId === '') throw new Error('"locationId" must be a location id');
		this.addLocation(locationId);
		const existing = this.customFields.get(locationId) ?? [];
		const made = [];
		for (const spec of fields) {
			if (spec?.id !== undefined && (typeof spec.id !== 'string' || spec.id === '')) throw new Error('"id" must be a non-empty string');
			const field = contactsKit.makeCustomField(locationId, spec, spec.id ?? newId(), existing.length + made.length);
			if ([...existing, ...made].some((f) => f.id === field.id || f.fieldKey === field.fieldKey)) {
				throw new Error(`the location already has a custom field with id ${field.id} or key ${field.fieldKey}`);
			}
			made.push(field);
		}
		this.customFields.set(locationId, [...existing, ...made]);
		return made.map((f) => ({ ...f }));
	}

	/**
	 * Adds `count` varied contacts to a location at once (see seedContactRecords in emailapi-contacts.js: names,
	 * emails, phones for three in four, tags, dnd, dateAdded over two years, custom field values), for paging tests.
	 * 25,000 take well under a second.
	 * @param {{count: number, locationId?: string}} options
	 * @returns {{locationId: string, seeded: number, total: number}} total: the contacts the location holds now
	 */
	seedContacts({ locationId = this.locationId, count } = {}) {
		if (!Number.isInteger(count) || count < 1 || count > 200000) throw new Error('"count" must be an integer from 1 to 200000');
		if (typeof locationId !== 'string' || locationId === '') throw new Error('"locationId" must be a location id');
		this.addLocation(locationId);
		const ids = contactsKit.randomIds(count).map((id) => (this.contacts.has(id) ? newId() : id));
		const records = contactsKit.seedContactRecords({
			locationId, count, first: this.seededContactCount, now: this.clock.now(), customFields: this.customFields.get(locationId), ids,
		});
		for (const contact of records) this.contacts.set(contact.id, contact);
		this.seededContactCount += count;
		let total = 0;
		for (const contact of this.contacts.values()) if (contact.locationId === locationId) total++;
		return { locationId, seeded: count, total };
	}

	/** GET /__sandbox/state */
	state() {
		return {
			locationId: this.locationId,
			companyId: this.companyId,
			users: [...this.users.values()].map(({ passwordHash, ...user }) => user),
			contacts: [...this.contacts.values()],
			customFields: Object.fromEntries(this.customFields),
			workflows: [...this.workflows.values()],
			reentryWorkflowIds: [...this.reentryWorkflowIds],
			enrolments: this.enrolments,
			emailsSent: this.emailsSent,
			courseImports: this.courseImports,
			rateLimit: { ...this.limiter.config },
			stats: this.stats,
		};
	}

	defineControlRoutes2() {
		const withJson = (req, use) => {
			const parsed = parseJson(req.rawBody || '{}');
			if (!parsed.ok || !isPlainObject(parsed.value)) return { status: 400, body: { message: 'give a JSON object' } };
			try {
				return use(parsed.value);
			} catch (error) {
				return { status: 400, body: { message: error.message } };
			}
		};
		// POST /__sandbox/tokens {scopes?, ttlMs?, locationId?, companyId?, userType?} -> {token}
		this.controlRoute('POST', '/tokens', (req) => withJson(req, (v) => ({ status: 200, body: { token: this.issueToken(v.scopes ?? API_SCOPES, v) } })));
		// POST /__sandbox/tokens/expire {token}
		this.controlRoute('POST', '/tokens/expire', (req) => withJson(req, (v) => {
			if (!this.tokens.has(v.token)) return { status: 404, body: { message: 'unknown token' } };
			this.expireToken(v.token);
			return { status: 200, body: { expired: true } };
		}));
		// POST /__sandbox/auth-codes {clientId, scopes?, locationId?, redirectUri?} -> {code}
		this.controlRoute('POST', '/auth-codes', (req) => withJson(req, (v) => ({ status: 200, body: { code: this.issueAuthCode(v.clientId, v.scopes, v) } })));
		// POST /__sandbox/workflows {name, status?, locationId?, allowReentry?} -> the workflow (see addWorkflow)
		this.controlRoute('POST', '/workflows', (req) => withJson(req, (v) => {
			if (typeof v.name !== 'string' || v.name === '') return { status: 400, body: { message: 'give {"name": "..."}' } };
			return { status: 200, body: this.addWorkflow({ name: v.name, status: v.status, locationId: v.locationId, allowReentry: v.allowReentry === true }) };
		}));
		// POST /__sandbox/contacts/seed {count, locationId?} -> {locationId, seeded, total} (see seedContacts)
		this.controlRoute('POST', '/contacts/seed', (req) => withJson(req, (v) => ({ status: 200, body: this.seedContacts(v) })));
		// POST /__sandbox/custom-fields {fields: [{name, dataType, options?, fieldKey?}], locationId?} -> {customFields} (see defineCustomFields)
		this.controlRoute('POST', '/custom-fields', (req) => withJson(req, (v) => ({ status: 200, body: { customFields: this.defineCustomFields(v) } })));
		// POST /__sandbox/rate-limit {max?, intervalMs?, daily?} -> the limits now in force
		this.controlRoute('POST', '/rate-limit', (req) => withJson(req, (v) => {
			for (const k of ['max', 'intervalMs', 'daily']) {
				if (v[k] !== undefined && !(Number.isInteger(v[k]) && v[k] > 0)) return { status: 400, body: { message: `${k} must be a positive integer` } };
			}
			this.setRateLimit(Object.fromEntries(['max', 'intervalMs', 'daily'].filter((k) => v[k] !== undefined).map((k) => [k, v[k]])));
			this.limiter.reset();
			return { status: 200, body: { ...this.limiter.config } };
		}));
	}

	// ------------------------------------------------------------------ routing and the common checks

	/**
	 * An API route: `spec` = { scope, access: ['Location'|'Company'], body: 'json'|'form'|undefined }.
	 * The handler gets { params, query, headers, body, token, url } and returns { status, body, headers }.
	 */
	api(method, pattern, spec, handler) {
		this.route(method, pattern, (req) => this.serve(req, spec, handler));
	}

	serve(req, spec, handler) {
		this.stats.requests++;
		this.sweepDeletions();
		const auth = this.authenticate(req.headers.authorization);
		if (auth.error) {
			this.stats.unauthorized++;
			return auth.error;
		}
		const token = auth.token;
		const limit = this.limiter.take(`${token.clientId ?? 'private-integration'}|${token.locationId ?? token.companyId}`);
		const finish = (answer) => ({ ...answer, headers: { ...limit.headers, ...(answer.headers ?? {}) } });
		if (!limit.allowed) {
			this.stats.rateLimited++;
			return finish(err(429, MESSAGES.tooMany));
		}
		const version = req.headers.version;
		if (version === undefined || version === '') return finish(err(400, MESSAGES.versionMissing));
		if (!ACCEPTED_VERSIONS.includes(version)) return finish(stricter(err(400, MESSAGES.versionInvalid), STRICTER_RULES.version));
		if (!spec.access.includes(token.userType)) return finish(err(401, MESSAGES.authClass));
		if (spec.scope && !token.scopes.includes(spec.scope)) return finish(err(401, MESSAGES.scope));
		let body;
		if (spec.body) {
			const parsed = this.parseBody(req, spec.body);
			if (parsed.error) return finish(parsed.error);
			body = parsed.value;
		}
		const answer = handler({ ...req, body, token });
		const unknownProperty = answer.status === 422 && Array.isArray(answer.body?.message) && answer.body.message.some((m) => / should not exist$/.test(m));
		return finish(unknownProperty ? stricter(answer, STRICTER_RULES.unknownProperty) : answer);
	}

	authenticate(header) {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
		const token = match && this.tokens.get(match[1]);
		if (!token) return { error: unauthorized(MESSAGES.invalidToken) };
		if (token.expiresAt !== undefined && token.expiresAt <= this.clock.now()) return { error: unauthorized(MESSAGES.expiredToken) };
		return { token };
	}

	/** JSON (or form) bodies as NestJS's body parsers see them: another content type leaves the body empty. */
	parseBody(req, kind) {
		const raw = req.rawBody ?? '';
		const type = String(req.headers['content-type'] ?? '').toLowerCase();
		if (raw.trim() === '') return { value: {} };
		if (/^application\/([\w.+-]*\+)?json/.test(type)) {
			const parsed = parseJson(raw);
			if (!parsed.ok) return { error: err(400, `Invalid JSON body: ${parsed.error.message}`) };
			return { value: parsed.value };
		}
		if (kind === 'form' && type.startsWith('application/x-www-form-urlencoded')) return { value: Object.fromEntries(new URLSearchParams(raw)) };
		return { value: {} };
	}

	/** undefined when the token may act on this location; otherwise the 403 answer. */
	locationAccess(token, locationId) {
		if (token.userType === 'Location') return token.locationId === locationId ? undefined : err(403, MESSAGES.location);
		const location = this.locations.get(locationId) ?? this.addLocation(locationId, { companyId: token.companyId });
		return location.companyId === token.companyId ? undefined : err(403, MESSAGES.location);
	}

	companyAccess(token, companyId) {
		return token.companyId === companyId ? undefined : err(403, MESSAGES.company);
	}

	notFound(what) {
		return err(this.notFoundStatus, `${what} not found`);
	}

	defineRoutes() {
		const both = ['Location', 'Company'];
		const location = ['Location'];
		const company = ['Company'];

		// Users (users.json). /users/search before /users/{userId}.
		this.api('GET', /^\/users\/search\/?$/, { scope: 'users.readonly', access: both }, (r) => this.searchUsers(r));
		this.api('POST', /^\/users\/search\/filter-by-email\/?$/, { scope: 'users.readonly', access: company, body: 'json' }, (r) => this.filterUsersByEmail(r));
		this.api('GET', /^\/users\/?$/, { scope: 'users.readonly', access: location }, (r) => this.usersByLocation(r));
		this.api('POST', /^\/users\/?$/, { scope: 'users.write', access: both, body: 'json' }, (r) => this.createUser(r));
		this.api('GET', /^\/users\/(?<userId>[^/]+)\/?$/, { scope: 'users.readonly', access: both }, (r) => this.getUser(r));
		this.api('PUT', /^\/users\/(?<userId>[^/]+)\/?$/, { scope: 'users.write', access: both, body: 'json' }, (r) => this.updateUser(r));
		this.api('DELETE', /^\/users\/(?<userId>[^/]+)\/?$/, { scope: 'users.write', access: both }, (r) => this.deleteUser(r));

		// Workflows (workflows.json)
		this.api('GET', /^\/workflows\/?$/, { scope: 'workflows.readonly', access: location }, (r) => this.listWorkflows(r));

		// Contacts (contacts.json; the search body from contacts-search.md). /contacts/search before /contacts/{contactId}.
		this.api('POST', /^\/contacts\/search\/?$/, { scope: 'contacts.readonly', access: location, body: 'json' }, (r) => this.searchContacts(r));
		this.api('POST', /^\/contacts\/(?<contactId>[^/]+)\/tags\/?$/, { scope: 'contacts.write', access: location, body: 'json' }, (r) => this.addTags(r));
		this.api('DELETE', /^\/contacts\/(?<contactId>[^/]+)\/tags\/?$/, { scope: 'contacts.write', access: location, body: 'json' }, (r) => this.removeTags(r));
		this.api('POST', /^\/contacts\/upsert\/?$/, { scope: 'contacts.write', access: location, body: 'json' }, (r) => this.upsertContact(r));
		this.api('POST', /^\/contacts\/(?<contactId>[^/]+)\/workflow\/(?<workflowId>[^/]+)\/?$/, { scope: 'contacts.write', access: location, body: 'json' }, (r) => this.addToWorkflow(r));
		this.api('DELETE', /^\/contacts\/(?<contactId>[^/]+)\/workflow\/(?<workflowId>[^/]+)\/?$/, { scope: 'contacts.write', access: location, body: 'json' }, (r) => this.removeFromWorkflow(r));
		this.api('GET', /^\/contacts\/(?<contactId>[^/]+)\/?$/, { scope: 'contacts.readonly', access: location }, (r) => this.getContact(r));
		this.api('PUT', /^\/contacts\/(?<contactId>[^/]+)\/?$/, { scope: 'contacts.write', access: location, body: 'json' }, (r) => this.updateContact(r));
		this.api('DELETE', /^\/contacts\/(?<contactId>[^/]+)\/?$/, { scope: 'contacts.write', access: location }, (r) => this.deleteContact(r));

		// Locations (locations.json): the custom fields a contact's customFields take
		this.api('GET', /^\/locations\/(?<locationId>[^/]+)\/customFields\/?$/, { scope: 'locations/customFields.readonly', access: location }, (r) => this.listCustomFields(r));

		// Courses (courses.json; the scope from Scopes.md)
		this.api('POST', /^\/courses\/courses-exporter\/public\/import\/?$/, { scope: 'courses.write', access: location, body: 'json' }, (r) => this.importCourses(r));

		// OAuth 2.0 (oauth.json, Authorization.md)
		this.route('GET', /^(?:\/v2)?\/oauth\/chooselocation\/?$/, (r) => this.chooseLocation(r));
		this.route('POST', /^\/oauth\/token\/?$/, (r) => this.token(r));
		this.api('POST', /^\/oauth\/locationToken\/?$/, { scope: 'oauth.write', access: company, body: 'form' }, (r) => this.locationToken(r));
		this.api('GET', /^\/oauth\/installedLocations\/?$/, { scope: 'oauth.readonly', access: company }, (r) => this.installedLocations(r));

		// Anything else: NestJS's 404.
		for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
			this.route(method, /^/, (r) => ({ status: 404, body: { statusCode: 404, message: `Cannot ${method} ${r.url.pathname}${r.url.search}`, error: 'Not Found' } }));
		}
	}

	// ------------------------------------------------------------------ users

	/** Users whose queued deletion has taken effect become deleted. */
	sweepDeletions() {
		const now = this.clock.now();
		for (const user of this.users.values()) {
			if (user.deleteAt !== undefined && user.deleteAt <= now) {
				user.deleted = true;
				delete user.deleteAt;
			}
		}
	}

	/** A live user the token may see (same company), or undefined. */
	visibleUser(token, userId) {
		const user = this.users.get(userId);
		if (!user || user.deleted || user.companyId !== token.companyId) return undefined;
		return user;
	}

	findUserByEmail(companyId, email) {
		const wanted = String(email).toLowerCase();
		for (const user of this.users.values()) {
			if (!user.deleted && user.companyId === companyId && user.email.toLowerCase() === wanted) return user;
		}
		return undefined;
	}

	/** UserSuccessfulResponseDto (single user) or UserSchema (lists: with `deleted`). Never the password. */
	userView(user, { list = false } = {}) {
		const view = {
			id: user.id,
			name: user.name,
			firstName: user.firstName,
			lastName: user.lastName,
			email: user.email,
			phone: user.phone ?? '',
			extension: user.extension ?? '',
			permissions: { ...user.permissions },
			...(user.scopes ? { scopes: [...user.scopes] } : {}),
			roles: { ...user.roles, locationIds: [...user.roles.locationIds] },
			...(list ? { deleted: Boolean(user.deleted) } : {}),
			lcPhone: { ...user.lcPhone },
			...(user.platformLanguage ? { platformLanguage: user.platformLanguage } : {}),
			...(user.profilePhoto ? { profilePhoto: user.profilePhoto } : {}),
		};
		return view;
	}

	createUser({ body, token }) {
		const errors = validateBody(CREATE_USER, body);
		if (errors) return unprocessable(errors);
		const denied = this.companyAccess(token, body.companyId) ?? this.userLocationsAccess(token, body.locationIds);
		if (denied) return denied;
		if (this.findUserByEmail(body.companyId, body.email)) return err(400, MESSAGES.duplicateUser);
		const user = {
			id: newId(),
			companyId: body.companyId,
			firstName: body.firstName,
			lastName: body.lastName,
			name: `${body.firstName} ${body.lastName}`.trim(),
			email: body.email,
			passwordHash: hashPassword(body.password),
			phone: body.phone,
			extension: '',
			permissions: { ...PERMISSION_DEFAULTS, ...(body.permissions ?? {}) },
			scopes: body.scopes,
			scopesAssignedToOnly: body.scopesAssignedToOnly,
			roles: { type: body.type, role: body.role, locationIds: [...body.locationIds], restrictSubAccount: false },
			lcPhone: {},
			twilioPhone: body.twilioPhone ? cleanTwilio(body.twilioPhone) : undefined,
			profilePhoto: body.profilePhoto,
			platformLanguage: body.platformLanguage,
			deleted: false,
			dateAdded: new Date(this.clock.now()).toISOString(),
		};
		this.users.set(user.id, user);
		return { status: 201, body: this.userView(user) };
	}

	/** A sub-account token may only put users into its own location. */
	userLocationsAccess(token, locationIds) {
		if (!locationIds) return undefined;
		for (const locationId of locationIds) {
			const denied = this.locationAccess(token, locationId);
			if (denied) return denied;
		}
		return undefined;
	}

	getUser({ params, token }) {
		const user = this.visibleUser(token, params.userId);
		return user ? { status: 200, body: this.userView(user) } : this.notFound('User');
	}

	updateUser({ params, body, token }) {
		const errors = validateBody(UPDATE_USER, body) ?? [];
		if (token.userType === 'Company' && (body?.companyId === undefined || body.companyId === null)) errors.push('companyId should not be empty');
		if (errors.length) return unprocessable(errors);
		if (body.companyId !== undefined) {
			const denied = this.companyAccess(token, body.companyId);
			if (denied) return denied;
		}
		const user = this.visibleUser(token, params.userId);
		if (!user) return this.notFound('User');
		const denied = this.userLocationsAccess(token, body.locationIds);
		if (denied) return denied;
		if (body.email !== undefined && body.email.toLowerCase() !== user.email.toLowerCase()) return err(400, MESSAGES.emailUpdate);
		for (const key of ['firstName', 'lastName', 'phone', 'profilePhoto', 'platformLanguage', 'scopes', 'scopesAssignedToOnly']) {
			if (body[key] !== undefined) user[key] = body[key];
		}
		if (body.firstName !== undefined || body.lastName !== undefined) user.name = `${user.firstName} ${user.lastName}`.trim();
		if (body.password !== undefined) user.passwordHash = hashPassword(body.password);
		if (body.permissions) user.permissions = { ...user.permissions, ...body.permissions };
		if (body.type !== undefined) user.roles.type = body.type;
		if (body.role !== undefined) user.roles.role = body.role;
		if (body.locationIds !== undefined) user.roles.locationIds = [...body.locationIds];
		if (body.twilioPhone !== undefined) user.twilioPhone = cleanTwilio(body.twilioPhone);
		return { status: 200, body: this.userView(user) };
	}

	deleteUser({ params, token }) {
		const user = this.visibleUser(token, params.userId);
		if (!user) return this.notFound('User');
		if (this.deleteDelayMs > 0) {
			if (user.deleteAt === undefined) user.deleteAt = this.clock.now() + this.deleteDelayMs;
		} else {
			user.deleted = true;
		}
		return {
			status: 200,
			body: { succeded: true, message: `Queued deleting user with e-mail ${user.email} and name ${user.name}. Will take effect in a few minutes.` },
		};
	}

	usersByLocation({ query, token }) {
		if (typeof query.locationId !== 'string' || query.locationId === '') return err(400, 'locationId should not be empty');
		const denied = this.locationAccess(token, query.locationId);
		if (denied) return denied;
		const users = [...this.users.values()].filter((u) => !u.deleted && u.companyId === token.companyId && u.roles.locationIds.includes(query.locationId));
		return { status: 200, body: { users: sortUsers(users).map((u) => this.userView(u, { list: true })) } };
	}

	searchUsers({ query, token }) {
		const errors = validateBody(SEARCH_QUERY, query);
		if (errors) return unprocessable(errors);
		const denied = this.companyAccess(token, query.companyId) ?? (query.locationId ? this.locationAccess(token, query.locationId) : undefined);
		if (denied) return denied;
		const needle = (query.query ?? '').trim().toLowerCase();
		const ids = query.ids ? new Set(query.ids.split(',').map((s) => s.trim())) : undefined;
		let users = [...this.users.values()].filter((u) => {
			if (u.deleted || u.companyId !== query.companyId) return false;
			if (query.locationId && !u.roles.locationIds.includes(query.locationId)) return false;
			if (query.type && u.roles.type !== query.type) return false;
			if (query.role && u.roles.role !== query.role) return false;
			if (ids && !ids.has(u.id)) return false;
			if (needle && ![u.name, u.email, u.phone ?? ''].some((v) => String(v).toLowerCase().includes(needle))) return false;
			return true;
		});
		users = sortUsers(users, query.sort, query.sortDirection);
		const skip = Number(query.skip ?? 0);
		const limit = Number(query.limit ?? 25);
		return { status: 200, body: { users: users.slice(skip, skip + limit).map((u) => this.userView(u, { list: true })), count: users.length } };
	}

	filterUsersByEmail({ body, token }) {
		const errors = validateBody(FILTER_BY_EMAIL, body);
		if (errors) return unprocessable(errors);
		const denied = this.companyAccess(token, body.companyId);
		if (denied) return denied;
		const emails = new Set(body.emails.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean));
		const users = sortUsers([...this.users.values()].filter((u) => u.companyId === body.companyId && Boolean(u.deleted) === Boolean(body.deleted) && emails.has(u.email.toLowerCase())));
		const skip = Number(body.skip ?? 0);
		const limit = Number(body.limit ?? 25);
		const fields = body.projection === 'all' ? undefined : ['id', 'email', ...(body.projection ? body.projection.split(',').map((f) => f.trim()) : [])];
		const page = users.slice(skip, skip + limit).map((u) => {
			const view = this.userView(u, { list: true });
			return fields ? Object.fromEntries(fields.filter((f) => f in view).map((f) => [f, view[f]])) : view;
		});
		return { status: 200, body: { users: page, count: users.length } };
	}

	// ------------------------------------------------------------------ workflows

	listWorkflows({ query, token }) {
		const errors = [];
		check(str({ required: true }), query.locationId, 'locationId', errors);
		if (errors.length) return unprocessable(errors);
		const denied = this.locationAccess(token, query.locationId);
		if (denied) return denied;
		this.seedWorkflows(query.locationId);
		const workflows = [...this.workflows.values()].filter((w) => w.locationId === query.locationId).map((w) => ({ ...w }));
		return { status: 200, body: { workflows } };
	}

	// ------------------------------------------------------------------ contacts

	contactView(contact) {
		return JSON.parse(JSON.stringify(contact));
	}

	/** The contact with this email or phone in the location, following the duplicate-check priority (email, then phone). */
	findDuplicate(locationId, { email, phone }, exceptId) {
		const candidates = [...this.contacts.values()].filter((c) => c.locationId === locationId && c.id !== exceptId);
		if (email) {
			const found = candidates.find((c) => c.emailLowerCase && c.emailLowerCase === email.toLowerCase());
			if (found) return { contact: found, matchingField: 'email' };
		}
		if (phone && digits(phone)) {
			const found = candidates.find((c) => c.phone && digits(c.phone) === digits(phone));
			if (found) return { contact: found, matchingField: 'phone' };
		}
		return undefined;
	}

	/**
	 * Writes an upsert/update body into the contact. `customFieldValues`: the body's customFields as
	 * resolveCustomFieldValues gave them ([{id, value}], value undefined clears the field).
	 */
	applyContactFields(contact, body, customFieldValues = []) {
		const fields = [
			'firstName', 'lastName', 'name', 'email', 'phone', 'address1', 'city', 'state', 'postalCode', 'website', 'timezone', 'dnd',
			'dndSettings', 'inboundDndSettings', 'tags', 'source', 'dateOfBirth', 'country', 'companyName', 'assignedTo', 'gender',
		];
		for (const key of fields) if (body[key] !== undefined) contact[key] = body[key] === null ? undefined : body[key];
		if (body.phone) contact.phone = normalizePhone(body.phone);
		// "This field will overwrite all current tags": kept as HighLevel keeps tags (trimmed, lower case, one copy each)
		if (Array.isArray(body.tags)) contact.tags = contactsKit.normalizeTags(body.tags);
		if (customFieldValues.length) {
			const byId = new Map((contact.customFields ?? []).map((f) => [f.id, f]));
			for (const { id, value } of customFieldValues) {
				if (value === undefined) byId.delete(id);
				else byId.set(id, { id, value });
			}
			contact.customFields = [...byId.values()];
		}
		if (body.firstName !== undefined || body.lastName !== undefined || contact.name === undefined) {
			const full = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
			if (full) contact.name = full;
		}
		contact.emailLowerCase = contact.email ? contact.email.toLowerCase() : undefined;
		contact.firstNameLowerCase = contact.firstName ? contact.firstName.toLowerCase() : undefined;
		contact.lastNameLowerCase = contact.lastName ? contact.lastName.toLowerCase() : undefined;
		contact.fullNameLowerCase = contact.name ? contact.name.toLowerCase() : undefined;
		contact.dateUpdated = new Date(this.clock.now()).toISOString();
		for (const key of Object.keys(contact)) if (contact[key] === undefined) delete contact[key];
	}

	/** The sandbox's bounds on a contact body, checked before anything else reads it: the 422 answer, or undefined. */
	contactBounds(body) {
		const problem = contactsKit.contactBoundsProblem(body);
		return problem ? stricter(unprocessable([problem]), STRICTER_RULES.bounds) : undefined;
	}

	/** The body's customFields checked against the location's fields: { values: [{id, value}] } or { error } (422). */
	customFieldValuesFor(locationId, body) {
		if (!Array.isArray(body.customFields) || body.customFields.length === 0) return { values: [] };
		const resolved = contactsKit.resolveCustomFieldValues(body.customFields, this.customFields.get(locationId) ?? []);
		if (resolved.errors) return { error: stricter(unprocessable(resolved.errors), STRICTER_RULES.customFields) };
		return { values: resolved.entries };
	}

	upsertContact({ body, token }) {
		const bounded = this.contactBounds(body);
		if (bounded) return bounded;
		const errors = validateBody(UPSERT_CONTACT, body);
		if (errors) return unprocessable(errors);
		const denied = this.locationAccess(token, body.locationId);
		if (denied) return denied;
		const custom = this.customFieldValuesFor(body.locationId, body);
		if (custom.error) return custom.error;
		const traceId = crypto.randomUUID();
		const duplicatesAllowed = this.allowDuplicateContacts && body.createNewIfDuplicateAllowed === true;
		const match = duplicatesAllowed ? undefined : this.findDuplicate(body.locationId, body);
		if (match) {
			const update = { ...body };
			// Both fields match different contacts: update the first in priority and leave the other field alone.
			if (match.matchingField === 'email' && body.phone) {
				const other = this.findDuplicate(body.locationId, { phone: body.phone }, match.contact.id);
				if (other) delete update.phone;
			}
			this.applyContactFields(match.contact, update, custom.values);
			return { status: 200, body: { new: false, contact: this.contactView(match.contact), traceId } };
		}
		const now = new Date(this.clock.now()).toISOString();
		const contact = { id: newId(), locationId: body.locationId, type: 'lead', tags: [], customFields: [], dnd: false, dateAdded: now, dateUpdated: now };
		this.applyContactFields(contact, body, custom.values);
		this.contacts.set(contact.id, contact);
		return { status: 200, body: { new: true, contact: this.contactView(contact), traceId } };
	}

	/** The contact if the token's location holds it; else the not-found answer. */
	contactFor(token, contactId) {
		const contact = this.contacts.get(contactId);
		if (!contact) return { error: this.notFound('Contact') };
		if (contact.locationId !== token.locationId) return { error: err(403, MESSAGES.location) };
		return { contact };
	}

	getContact({ params, token }) {
		const { contact, error } = this.contactFor(token, params.contactId);
		return error ?? { status: 200, body: { contact: this.contactView(contact) } };
	}

	updateContact({ params, body, token }) {
		const bounded = this.contactBounds(body);
		if (bounded) return bounded;
		const errors = validateBody(UPDATE_CONTACT, body);
		if (errors) return unprocessable(errors);
		const { contact, error } = this.contactFor(token, params.contactId);
		if (error) return error;
		const custom = this.customFieldValuesFor(contact.locationId, body);
		if (custom.error) return custom.error;
		if (!this.allowDuplicateContacts) {
			const match = this.findDuplicate(contact.locationId, { email: body.email ?? undefined, phone: body.phone ?? undefined }, contact.id);
			if (match) {
				return err(400, MESSAGES.duplicateContact, { meta: { contactName: match.contact.name, contactId: match.contact.id, matchingField: match.matchingField } });
			}
		}
		this.applyContactFields(contact, body, custom.values);
		return { status: 200, body: { succeded: true, contact: this.contactView(contact) } };
	}

	deleteContact({ params, token }) {
		const { contact, error } = this.contactFor(token, params.contactId);
		if (error) return error;
		this.contacts.delete(contact.id);
		this.enrolments = this.enrolments.filter((e) => e.contactId !== contact.id);
		return { status: 200, body: { succeded: true } };
	}

	/**
	 * POST /contacts/search: contacts-search.md's body; { contacts, total }, each contact with `searchAfter`
	 * ([...its sort values, its id]) to pass back for the page after it. Dates sort as epoch milliseconds.
	 */
	searchContacts({ body, token }) {
		const locationId = isPlainObject(body) && typeof body.locationId === 'string' ? body.locationId : undefined;
		const parsed = contactsKit.parseSearch(body, (locationId && this.customFields.get(locationId)) || []);
		if (parsed.errors) {
			const answer = { status: 400, body: { statusCode: 400, message: parsed.errors, error: 'Bad Request' } };
			return stricter(answer, parsed.rules.map((rule) => STRICTER_RULES[rule]));
		}
		const { plan } = parsed;
		const denied = this.locationAccess(token, plan.locationId);
		if (denied) return denied;
		const inLocation = [...this.contacts.values()].filter((c) => c.locationId === plan.locationId);
		const { page, total } = contactsKit.runSearch(inLocation, plan);
		return { status: 200, body: { contacts: page.map(({ contact, searchAfter }) => ({ ...this.contactView(contact), searchAfter })), total } };
	}

	/** The contact of a tags route with the body's tags checked (bounds first, then TagsDTO), or the error answer. */
	taggedContact({ params, body, token }) {
		const problem = isPlainObject(body) ? contactsKit.tagBoundsProblem(body.tags) : undefined;
		if (problem) return { error: stricter(unprocessable([problem]), STRICTER_RULES.bounds) };
		const errors = validateBody(TAGS, body);
		if (errors) return { error: unprocessable(errors) };
		return this.contactFor(token, params.contactId);
	}

	/** POST /contacts/{contactId}/tags: 201 {tags} (all the contact's tags now). A tag it has already stays one copy. */
	addTags(request) {
		const { contact, error } = this.taggedContact(request);
		if (error) return error;
		contact.tags = contactsKit.normalizeTags([...(contact.tags ?? []), ...request.body.tags]);
		contact.dateUpdated = new Date(this.clock.now()).toISOString();
		return { status: 201, body: { tags: [...contact.tags] } };
	}

	/** DELETE /contacts/{contactId}/tags: 200 {tags} (the contact's tags left). A tag it does not have is no error. */
	removeTags(request) {
		const { contact, error } = this.taggedContact(request);
		if (error) return error;
		const removed = new Set(contactsKit.normalizeTags(request.body.tags));
		contact.tags = (contact.tags ?? []).filter((tag) => !removed.has(contactsKit.normalizeTag(tag)));
		contact.dateUpdated = new Date(this.clock.now()).toISOString();
		return { status: 200, body: { tags: [...contact.tags] } };
	}

	/** The contact and the workflow of POST/DELETE /contacts/{contactId}/workflow/{workflowId}, or the error answer. */
	enrolmentOf({ params, body, token }) {
		const errors = validateBody(CREATE_WORKFLOW, body);
		if (errors) return { error: unprocessable(errors) };
		const { contact, error } = this.contactFor(token, params.contactId);
		if (error) return { error };
		const workflow = this.workflows.get(params.workflowId);
		if (!workflow || workflow.locationId !== contact.locationId) return { error: this.notFound('Workflow') };
		return { contact, workflow };
	}

	addToWorkflow(request) {
		const { body } = request;
		const { contact, workflow, error } = this.enrolmentOf(request);
		if (error) return error;
		if (workflow.status !== 'published') return err(400, `Workflow ${workflow.id} is not published: only published workflows accept contacts`);
		const active = this.enrolments.find((e) => e.contactId === contact.id && e.workflowId === workflow.id && e.status === 'active');
		// an active contact is not enrolled (nor emailed) again, unless the workflow allows re-entry
		if (active && !this.reentryWorkflowIds.has(workflow.id)) return { status: 200, body: { succeded: true } };
		const at = new Date(this.clock.now()).toISOString();
		this.enrolments.push({ contactId: contact.id, workflowId: workflow.id, locationId: contact.locationId, status: 'active', enrolledAt: at, ...(body.eventStartTime ? { eventStartTime: body.eventStartTime } : {}) });
		const emailBlocked = contact.dnd === true || ['active', 'permanent'].includes(contact.dndSettings?.Email?.status);
		if (contact.email && !emailBlocked) {
			this.emailsSent.push({
				to: contact.email, workflowId: workflow.id, workflowName: workflow.name, contactId: contact.id, locationId: contact.locationId, at,
				...(body.eventStartTime ? { scheduledFor: body.eventStartTime } : {}),
			});
		}
		return { status: 200, body: { succeded: true } };
	}

	removeFromWorkflow(request) {
		const { contact, workflow, error } = this.enrolmentOf(request);
		if (error) return error;
		this.enrolments = this.enrolments.filter((e) => !(e.contactId === contact.id && e.workflowId === workflow.id));
		return { status: 200, body: { succeded: true } };
	}

	// ------------------------------------------------------------------ locations

	/** GET /locations/{locationId}/customFields?model=contact|opportunity|all (no model: the contact fields). */
	listCustomFields({ params, query, token }) {
		const errors = validateBody(CUSTOM_FIELDS_QUERY, query);
		if (errors) return unprocessable(errors);
		const denied = this.locationAccess(token, params.locationId);
		if (denied) return denied;
		const model = query.model ?? 'contact';
		const fields = (this.customFields.get(params.locationId) ?? []).filter((f) => model === 'all' || f.model === model);
		return { status: 200, body: { customFields: fields.map((f) => JSON.parse(JSON.stringify(f))) } };
	}

	// ------------------------------------------------------------------ courses

	importCourses({ body, token }) {
		const errors = validateBody(PUBLIC_EXPORTER_PAYLOAD, body);
		if (errors) return unprocessable(errors);
		const denied = this.locationAccess(token, body.locationId);
		if (denied) return denied;
		this.courseImports.push({
			id: newId(), locationId: body.locationId, ...(body.userId ? { userId: body.userId } : {}),
			products: JSON.parse(JSON.stringify(body.products)), importedAt: new Date(this.clock.now()).toISOString(),
		});
		return { status: 201, body: undefined }; // the spec documents a 201 without content
	}

	// ------------------------------------------------------------------ OAuth 2.0

	/** The authorization page: the admin "chooses" the location at once and is sent back with a code. */
	chooseLocation({ query }) {
		const client = this.oauthClients.get(query.client_id);
		if (!client) return err(400, 'Invalid client_id: no app has this client id');
		if (query.response_type !== undefined && query.response_type !== 'code') return err(400, 'response_type must be code');
		if (!query.redirect_uri) return err(400, 'redirect_uri should not be empty');
		let redirect;
		try {
			redirect = new URL(query.redirect_uri);
		} catch {
			return err(400, 'redirect_uri must be a URL address');
		}
		if (client.redirectUris && !client.redirectUris.includes(query.redirect_uri)) return err(400, 'redirect_uri is not registered for this app');
		const requested = query.scope ? query.scope.split(/[\s+]+/).filter(Boolean) : client.scopes ?? [];
		const unknown = client.scopes ? requested.filter((s) => !client.scopes.includes(s)) : [];
		if (unknown.length) return err(400, `The app is not configured for these scopes: ${unknown.join(' ')}`);
		const code = this.issueAuthCode(query.client_id, requested, { locationId: query.locationId, redirectUri: query.redirect_uri });
		redirect.searchParams.set('code', code);
		if (query.state !== undefined) redirect.searchParams.set('state', query.state);
		return { status: 302, body: '', headers: { location: redirect.toString(), 'content-type': 'text/plain' } };
	}

	/** POST /oauth/token (GetAccessCodebodyDto, form-encoded). No Version header, no bearer, no rate limit. */
	token(req) {
		const parsed = this.parseBody(req, 'form');
		if (parsed.error) return parsed.error;
		const body = parsed.value;
		const errors = validateBody(ACCESS_CODE_BODY, body);
		if (errors) return unprocessable(errors);
		const client = this.oauthClients.get(body.client_id);
		if (!client || client.clientSecret !== body.client_secret) return unauthorized('Invalid client: client_id or client_secret is incorrect');
		const now = this.clock.now();
		let grant;
		if (body.grant_type === 'authorization_code') {
			const code = body.code && this.authCodes.get(body.code);
			if (!code || code.clientId !== body.client_id || code.expiresAt <= now) return err(400, 'Invalid grant: the authorization code is invalid, expired or already used');
			if (code.redirectUri && body.redirect_uri && code.redirectUri !== body.redirect_uri) return err(400, 'Invalid grant: redirect_uri does not match the one the code was issued for');
			this.authCodes.delete(body.code); // single use
			grant = code;
		} else if (body.grant_type === 'refresh_token') {
			const refresh = body.refresh_token && this.refreshTokens.get(body.refresh_token);
			if (!refresh || refresh.clientId !== body.client_id || refresh.expiresAt <= now) return err(400, 'Invalid grant: the refresh token is invalid, expired or already used');
			this.refreshTokens.delete(body.refresh_token); // rotation: the old refresh token is spent
			grant = refresh;
		} else {
			return err(400, `grant_type ${body.grant_type} is not supported for this app`);
		}
		if (body.user_type && body.user_type !== grant.userType) return err(400, `user_type ${body.user_type} does not match the installation (${grant.userType})`);
		return { status: 200, body: this.grantTokens(grant) };
	}

	grantTokens({ clientId, scopes, userType, companyId, locationId }) {
		const now = this.clock.now();
		const access = fakeJwt({ authClass: userType, authClassId: locationId ?? companyId, oauthMeta: { scopes, client: clientId }, iat: Math.floor(now / 1000), exp: Math.floor((now + this.accessTokenTtlMs) / 1000) });
		this.addToken(access, { scopes, userType, companyId, locationId, ttlMs: this.accessTokenTtlMs, clientId });
		const refresh = crypto.randomBytes(24).toString('hex');
		this.refreshTokens.set(refresh, { clientId, scopes, userType, companyId, locationId, expiresAt: now + YEAR_MS });
		return {
			access_token: access,
			token_type: 'Bearer',
			expires_in: Math.floor(this.accessTokenTtlMs / 1000),
			refresh_token: refresh,
			scope: scopes.join(' '),
			userType,
			...(locationId ? { locationId } : {}),
			companyId,
			...(userType === 'Company' ? { approvedLocations: [...this.locations.values()].filter((l) => l.companyId === companyId).map((l) => l._id) } : {}),
			userId: this.installerUserId,
			isBulkInstallation: false,
		};
	}

	/** POST /oauth/locationToken: an agency token buys a token for one of its locations, with the same scopes. */
	locationToken({ body, token }) {
		const errors = validateBody(LOCATION_TOKEN_BODY, body);
		if (errors) return unprocessable(errors);
		const denied = this.companyAccess(token, body.companyId) ?? this.locationAccess(token, body.locationId);
		if (denied) return denied;
		const now = this.clock.now();
		const access = fakeJwt({ authClass: 'Location', authClassId: body.locationId, oauthMeta: { scopes: token.scopes, client: token.clientId }, iat: Math.floor(now / 1000) });
		this.addToken(access, { scopes: token.scopes, userType: 'Location', companyId: body.companyId, locationId: body.locationId, ttlMs: this.accessTokenTtlMs, clientId: token.clientId });
		return {
			status: 200,
			body: { access_token: access, token_type: 'Bearer', expires_in: Math.floor(this.accessTokenTtlMs / 1000), scope: token.scopes.join(' '), locationId: body.locationId, userId: this.installerUserId },
		};
	}

	installedLocations({ query, token }) {
		const errors = validateBody(INSTALLED_LOCATIONS_QUERY, query);
		if (errors) return unprocessable(errors);
		const denied = this.companyAccess(token, query.companyId);
		if (denied) return denied;
		const needle = (query.query ?? '').toLowerCase();
		const locations = [...this.locations.values()].filter((l) => l.companyId === query.companyId && (!query.locationId || l._id === query.locationId) && l.name.toLowerCase().includes(needle));
		const skip = Number(query.skip ?? 0);
		const limit = Number(query.limit ?? 20);
		return {
			status: 200,
			body: {
				locations: locations.slice(skip, skip + limit).map(({ companyId, ...l }) => ({ ...l, isInstalled: true })),
				count: locations.length,
				installToFutureLocations: false,
			},
		};
	}
}

function sortUsers(users, sort, direction = 'asc') {
	const key = (u) => (sort && sort !== 'name' ? String(u[sort] ?? u.roles?.[sort] ?? '') : `${u.firstName} ${u.lastName}`.toLowerCase());
	const sign = direction === 'desc' ? -1 : 1;
	return [...users].sort((a, b) => sign * key(a).localeCompare(key(b)));
}

function cleanTwilio(map) {
	return Object.fromEntries(Object.entries(map).filter(([, v]) => v !== ''));
}

function hashPassword(password) {
	return crypto.createHash('sha256').update(String(password)).digest('hex');
}

function digits(phone) {
	return String(phone).replace(/\D/g, '');
}

function normalizePhone(phone) {
	const trimmed = String(phone).trim();
	return trimmed.startsWith('+') ? `+${digits(trimmed)}` : trimmed;
}

function fakeJwt(payload) {
	return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}.${crypto.randomBytes(32).toString('base64url')}`;
}

module.exports = { EmailApiSandbox, API_SCOPES, DOCUMENTED_VERSION, PERMISSION_DEFAULTS, MESSAGES, RateLimiter };
