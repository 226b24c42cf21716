// Jest (conformance): the Email API sandbox's contact search at scale, tags and custom fields, over real HTTP.
// POST /contacts/search as contacts-search.md describes it, on 25,000 seeded contacts: searchAfter paging with no
// gap and no overlap past 10,000 results, standard paging refused beyond 10,000 records, filters and sort; tags
// added and removed idempotently; the seed and custom-field control routes; hostile bodies refused at once.
import { API_SCOPES, DOCUMENTED_VERSION } from '../../scripts/sandbox/emailapi-sandbox';
import { PIT, searchBodyErrors, startEmailApi } from '../helpers/emailapi-fixture';
import { sandboxPerFile } from '../helpers/perFile';

// A rate limit that lets a test page through 25,000 contacts twice.
const sandbox = sandboxPerFile(() => startEmailApi({ rateLimit: { max: 1000 } }));

/** Whatever JSON.parse makes of an answer. */
type Parsed = ReturnType<typeof JSON.parse>;

interface Contact {
	id: string;
	email?: string;
	phone?: string;
	tags: string[];
	dnd: boolean;
	dateAdded: string;
	firstNameLowerCase?: string;
	customFields: Array<{ id: string; value: unknown }>;
	searchAfter: Array<string | number | null>;
}

async function call(method: string, path: string, body?: unknown, token = PIT) {
	const res = await fetch(`${sandbox.url}${path}`, {
		method,
		headers: { authorization: `Bearer ${token}`, version: DOCUMENTED_VERSION, 'content-type': 'application/json' },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await res.text();
	return {
		status: res.status,
		body: (text ? JSON.parse(text) : undefined) as Parsed,
		stricter: res.headers.get('x-sandbox-stricter'),
	};
}

async function search(body: Record<string, unknown>) {
	return call('POST', '/contacts/search', { locationId: sandbox.locationId, ...body });
}

/** Every contact the search finds, page after page by searchAfter, as a client does: until it holds `total`. */
async function pageThrough(body: Record<string, unknown>) {
	const contacts: Contact[] = [];
	let total = Infinity;
	let searchAfter: unknown;
	while (contacts.length < total) {
		const r = await search({ ...body, ...(searchAfter ? { searchAfter } : {}) });
		expect(r.status).toBe(200);
		total = r.body.total;
		if (r.body.contacts.length === 0) break;
		contacts.push(...r.body.contacts);
		searchAfter = r.body.contacts.at(-1).searchAfter;
	}
	return { contacts, total };
}

const searches = () => sandbox.requests('POST /contacts/search').length;

describe('paging 25,000 contacts', () => {
	test('seeds 25,000 varied contacts in well under a second', () => {
		const started = Date.now();
		expect(sandbox.seedContacts({ count: 25000 })).toEqual({
			locationId: sandbox.locationId,
			seeded: 25000,
			total: 25000,
		});
		expect(Date.now() - started).toBeLessThan(1000);
		const contacts = [...sandbox.contacts.values()] as Contact[];
		expect(new Set(contacts.map((c) => c.email!.toLowerCase())).size).toBe(25000);
		expect(new Set(contacts.filter((c) => c.phone).map((c) => c.phone)).size).toBe(18750);
		expect(contacts.filter((c) => c.tags.includes('vip'))).toHaveLength(5000);
		expect(contacts.filter((c) => c.dnd).length).toBeGreaterThan(1900);
		// some share a dateAdded, so the id has to decide their order
		expect(new Set(contacts.map((c) => c.dateAdded)).size).toBe(17520);
		// a second batch adds to the first without repeating an email or a phone
		expect(sandbox.seedContacts({ count: 10 }).total).toBe(25010);
		expect(new Set([...sandbox.contacts.values()].map((c: Contact) => c.email!.toLowerCase())).size).toBe(25010);
	});

	test.each([500, 137])(
		'pageLimit %i: every contact exactly once, in order, in ceil(25,000 / pageLimit) requests',
		async (pageLimit) => {
			sandbox.seedContacts({ count: 25000 });
			const { contacts, total } = await pageThrough({ pageLimit });
			expect(total).toBe(25000);
			expect(contacts).toHaveLength(25000);
			expect(new Set(contacts.map((c) => c.id)).size).toBe(25000);
			expect(searches()).toBe(Math.ceil(25000 / pageLimit));
			// the default order: dateAdded newest first, then the id; each contact's searchAfter is [dateAdded in ms, id]
			const cursorsOff = contacts.filter(
				(c) => JSON.stringify(c.searchAfter) !== JSON.stringify([Date.parse(c.dateAdded), c.id]),
			);
			expect(cursorsOff).toEqual([]);
			const outOfOrder = contacts.filter((c, i) => {
				if (i === 0) return false;
				const [a, b] = [contacts[i - 1].searchAfter, c.searchAfter] as [number, string][];
				return !(a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]));
			});
			expect(outOfOrder).toEqual([]);
		},
	);

	test('sorted by a field with many ties (first name), with a filter: no gap, no overlap', async () => {
		sandbox.seedContacts({ count: 25000 });
		const active = [...sandbox.contacts.values()].filter((c: Contact) => !c.tags.includes('inactive')).length; // one in seven is
		const body = {
			pageLimit: 500,
			sort: [{ field: 'firstNameLowerCase', direction: 'asc' }],
			filters: [{ field: 'tags', operator: 'not_eq', value: 'inactive' }],
		};
		const { contacts, total } = await pageThrough(body);
		expect(total).toBe(active);
		expect(new Set(contacts.map((c) => c.id)).size).toBe(active);
		expect(contacts.every((c) => !c.tags.includes('inactive'))).toBe(true);
		expect(searches()).toBe(Math.ceil(active / 500));
		expect(contacts[0].searchAfter).toEqual(['ada', contacts[0].id]);
		const names = contacts.map((c) => c.firstNameLowerCase!);
		expect(names).toEqual([...names].sort());
	});

	test('a cursor holds when contacts change between pages: the one it came from deleted, a newer one added', async () => {
		sandbox.seedContacts({ count: 2000 });
		const whole = (await pageThrough({ pageLimit: 500 })).contacts.map((c) => c.id);
		const first = await search({ pageLimit: 500 });
		const last = first.body.contacts.at(-1);
		expect((await call('DELETE', `/contacts/${last.id}`)).status).toBe(200);
		await call('POST', '/contacts/upsert', { locationId: sandbox.locationId, email: 'newest@example.com' }); // sorts first
		const next = await search({ pageLimit: 500, searchAfter: last.searchAfter });
		expect(next.body.total).toBe(2000);
		expect(next.body.contacts.map((c: Contact) => c.id)).toEqual(whole.slice(500, 1000));
	});
});

describe('standard paging', () => {
	test('reaches the first 10,000 records, the same ones searchAfter gives, and no further', async () => {
		sandbox.seedContacts({ count: 12000 });
		const byCursor = (await pageThrough({ pageLimit: 500 })).contacts.map((c) => c.id);
		const byPage: string[] = [];
		for (let page = 1; page <= 20; page++) {
			const r = await search({ pageLimit: 500, page });
			expect(r.status).toBe(200);
			expect(r.body.total).toBe(12000);
			byPage.push(...r.body.contacts.map((c: Contact) => c.id));
		}
		expect(byPage).toEqual(byCursor.slice(0, 10000));
		expect((await search({ pageLimit: 100, page: 100 })).body.contacts).toHaveLength(100);

		for (const [page, pageLimit] of [
			[21, 500],
			[101, 100],
			[10001, 1],
		]) {
			const r = await search({ pageLimit, page });
			expect(r.status).toBe(400);
			expect(r.body).toEqual({
				statusCode: 400,
				message: [
					'page * pageLimit must not be greater than 10000: standard paging reaches the first 10000 records only, use searchAfter beyond',
				],
				error: 'Bad Request',
			});
			expect(r.stricter).toBeNull(); // the document's own limit
			expect(searchBodyErrors(JSON.stringify({ locationId: sandbox.locationId, pageLimit, page }))).toHaveLength(1);
		}
		const both = await search({ pageLimit: 10, page: 2, searchAfter: [Date.now(), 'x'] });
		expect(both.status).toBe(400);
		expect(both.body.message).toEqual([expect.stringMatching(/^page and searchAfter cannot be used together/)]);
	});
});

describe('filters, sort and query', () => {
	test('operators on the documented fields, groups (AND at the top), and the full-text query', async () => {
		sandbox.seedContacts({ count: 3000 });
		const all = [...sandbox.contacts.values()] as Contact[];
		const count = async (filters: unknown[], extra: Record<string, unknown> = {}) => {
			const r = await search({ pageLimit: 1, filters, ...extra });
			expect(r.status).toBe(200);
			return r.body.total as number;
		};
		const vip = all.filter((c) => c.tags.includes('vip'));
		expect(await count([{ field: 'tags', operator: 'eq', value: 'VIP' }])).toBe(vip.length);
		expect(await count([{ field: 'tags', operator: 'eq', value: ['vip', 'inactive'] }])).toBe(
			all.filter((c) => c.tags.includes('vip') || c.tags.includes('inactive')).length,
		);
		expect(await count([{ field: 'phone', operator: 'not_exists' }])).toBe(750);
		expect(await count([{ field: 'phone', operator: 'eq', value: '+1 555-000-0001' }])).toBe(1);
		expect(await count([{ field: 'email', operator: 'contains', value: 'LOVELACE' }])).toBe(
			all.filter((c) => c.email!.toLowerCase().includes('lovelace')).length,
		);
		expect(await count([{ field: 'dnd', operator: 'eq', value: true }])).toBe(all.filter((c) => c.dnd).length);
		// top level AND, an OR group inside
		const either = all.filter((c) => c.tags.includes('vip') && (c.dnd || !c.phone));
		const grouped = [
			{ field: 'tags', operator: 'eq', value: 'vip' },
			{
				group: 'OR',
				filters: [
					{ field: 'dnd', operator: 'eq', value: true },
					{ field: 'phone', operator: 'not_exists' },
				],
			},
		];
		expect(await count(grouped)).toBe(either.length);
		// range on dateAdded, as ISO text or milliseconds
		const since = Date.now() - 48 * 60 * 60 * 1000;
		const recent = all.filter((c) => Date.parse(c.dateAdded) >= since).length;
		expect(recent).toBeGreaterThan(0);
		expect(
			await count([{ field: 'dateAdded', operator: 'range', value: { gte: new Date(since).toISOString() } }]),
		).toBe(recent);
		expect(await count([{ field: 'dateAdded', operator: 'range', value: { gte: since, lt: Date.now() + 1 } }])).toBe(
			recent,
		);
		// query: name, email, phone digits
		expect(await count([], { query: 'ada lovelace' })).toBe(
			all.filter((c) => (c as unknown as { fullNameLowerCase: string }).fullNameLowerCase === 'ada lovelace').length,
		);
		expect(await count([], { query: '555 000 0002' })).toBe(1);

		const sorted = await search({
			pageLimit: 3,
			sort: [
				{ field: 'email', direction: 'asc' },
				{ field: 'dateAdded', direction: 'desc' },
			],
		});
		expect(sorted.body.contacts[0].searchAfter).toEqual([
			sorted.body.contacts[0].email.toLowerCase(),
			Date.parse(sorted.body.contacts[0].dateAdded),
			sorted.body.contacts[0].id,
		]);
	});

	test('custom fields filter by their type (customFields.<id>)', async () => {
		const [rank, level, joined] = sandbox.defineCustomFields({
			fields: [
				{ name: 'Rank', dataType: 'NUMERICAL' },
				{ name: 'Level', dataType: 'SINGLE_OPTIONS', options: ['bronze', 'silver', 'gold'] },
				{ name: 'Joined', dataType: 'DATE' },
			],
		});
		sandbox.seedContacts({ count: 600 }); // every other one holds values: rank n % 100, level by turns
		const count = async (filter: unknown) => (await search({ pageLimit: 1, filters: [filter] })).body.total;
		expect(await count({ field: `customFields.${rank.id}`, operator: 'range', value: { lt: 10 } })).toBe(30);
		expect(await count({ field: `customFields.${rank.id}`, operator: 'eq', value: '42' })).toBe(6);
		expect(await count({ field: `customFields.${level.id}`, operator: 'eq', value: 'Gold' })).toBe(100);
		expect(await count({ field: `customFields.${joined.id}`, operator: 'exists' })).toBe(300);
		const unknown = await search({ pageLimit: 1, filters: [{ field: 'customFields.nope', operator: 'exists' }] });
		expect(unknown.status).toBe(400);
		expect(unknown.stricter).toMatch(/^search filters and sort take only the fields the sandbox knows/);
	});

	test('refuses what contacts-search.md does not allow with 400 and every reason', async () => {
		const r = await search({
			pageLimit: 501,
			query: 'q'.repeat(76),
			filters: [
				{ field: 'email', operator: 'contains', value: 'a*b' },
				{ field: 'email', operator: 'exists', value: 'x' },
				{ field: 'tags', operator: 'eq', value: 't'.repeat(76) },
				{ field: 'dateAdded', operator: 'eq', value: '2024-01-01' },
				{ field: 'dateAdded', operator: 'range', value: { after: '2024-01-01' } },
				{ group: 'XOR', filters: [{ field: 'dnd', operator: 'eq', value: 'yes' }] },
			],
			sort: [{ field: 'dateAdded', direction: 'up' }],
		});
		expect(r.status).toBe(400);
		expect(r.body.error).toBe('Bad Request');
		expect(r.body.message).toEqual([
			'pageLimit must not be greater than 500',
			'query must be shorter than or equal to 75 characters',
			'sort.0.direction must be one of the following values: asc, desc',
			"filters.0.value must not contain special characters with contains (letters, digits, spaces and @ . _ + - ' only)",
			'filters.1.value should not exist with exists',
			'filters.2.value must be shorter than or equal to 75 characters',
			'filters.3.operator must be one of the following values for dateAdded: range, exists, not_exists',
			'filters.4.value.property after should not exist',
			'filters.5.group must be one of the following values: AND, OR',
			'filters.5.filters.0.value must be a boolean value',
		]);
		expect(r.stricter).toBeNull();
		expect((await search({ pageLimit: 0 })).body.message).toEqual(['pageLimit must not be less than 1']);
		expect((await call('POST', '/contacts/search', { pageLimit: 10 })).body.message).toEqual([
			'locationId should not be empty',
		]);
		expect((await search({})).body.message).toEqual(['pageLimit should not be empty']);
		expect((await search({ pageLimit: 10, searchAfter: ['2024-01-01', 'x'] })).body.message).toEqual([
			'searchAfter must be the searchAfter of a contact of this search: [number, id]',
		]);
	});
});

describe('hostile search and tag bodies: refused at once, bounds before anything reads them', () => {
	const MB = 1024 * 1024;

	// No wall-clock assertion: the test's own time-out (20 s) is the guard; work that is not linear would blow past it.
	test('a 1 MB query, value or tag; 100,000 filters; groups nested deep; 100,000 tags', async () => {
		const long = 'a@'.repeat(MB / 2);
		const answers = await Promise.all([
			search({ pageLimit: 10, query: long }),
			search({ pageLimit: 10, filters: [{ field: 'email', operator: 'contains', value: long }] }),
			search({ pageLimit: 10, filters: Array.from({ length: 100000 }, () => ({ field: 'dnd', operator: 'exists' })) }),
			search({
				pageLimit: 10,
				filters: [
					JSON.parse('{"group":"AND","filters":['.repeat(50) + '{"field":"dnd","operator":"exists"}' + ']}'.repeat(50)),
				],
			}),
		]);
		expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
		expect(answers[2].body.message).toEqual(['filters must contain no more than 100 filters in all, groups included']);
		expect(answers[2].stricter).toMatch(/^bodies are bounded where the documents give no bound/);
		expect(answers[3].body.message).toEqual(['filters must not nest groups more than 5 deep']);

		const { body } = await call('POST', '/contacts/upsert', {
			locationId: sandbox.locationId,
			email: 'ada@example.com',
		});
		const tooMany = await call('POST', `/contacts/${body.contact.id}/tags`, {
			tags: Array.from({ length: 100000 }, (_, i) => `t${i}`),
		});
		expect(tooMany.status).toBe(422);
		expect(tooMany.body.message).toEqual(['tags must contain no more than 1000 elements']);
		expect(tooMany.stricter).toMatch(/^bodies are bounded/);
		const tooLong = await call('POST', `/contacts/${body.contact.id}/tags`, { tags: ['ok', long] });
		expect(tooLong.body.message).toEqual(['each value in tags must be shorter than or equal to 255 characters']);
		const upsert = await call('POST', '/contacts/upsert', {
			locationId: sandbox.locationId,
			email: 'ada@example.com',
			tags: [long],
		});
		expect(upsert.status).toBe(422);
		expect(sandbox.contacts.get(body.contact.id).tags).toEqual([]);
	}, 20_000);
});

describe('tags', () => {
	async function contact(tags?: string[]) {
		const { body } = await call('POST', '/contacts/upsert', {
			locationId: sandbox.locationId,
			email: 'grace@example.com',
			...(tags ? { tags } : {}),
		});
		return body.contact.id as string;
	}

	test('adding is idempotent: a tag the contact has stays one copy; tags kept trimmed and in lower case, as the upsert keeps them', async () => {
		const id = await contact(['Rankr', ' rankr ']);
		expect(sandbox.contacts.get(id).tags).toEqual(['rankr']);
		const first = await call('POST', `/contacts/${id}/tags`, { tags: ['VIP', 'top-10'] });
		expect(first).toMatchObject({ status: 201, body: { tags: ['rankr', 'vip', 'top-10'] } });
		const again = await call('POST', `/contacts/${id}/tags`, { tags: ['vip', ' VIP ', 'top-10', ''] });
		expect(again).toMatchObject({ status: 201, body: { tags: ['rankr', 'vip', 'top-10'] } });
		expect(sandbox.contacts.get(id).tags).toEqual(['rankr', 'vip', 'top-10']);
		// the tags are what a search by tag finds, in any case
		expect(
			(await search({ pageLimit: 5, filters: [{ field: 'tags', operator: 'eq', value: 'Top-10' }] })).body.total,
		).toBe(1);
	});

	test('removing a tag the contact does not have is no error; removing is case-blind too', async () => {
		const id = await contact(['rankr', 'vip']);
		const gone = await call('DELETE', `/contacts/${id}/tags`, { tags: ['VIP', 'never-had'] });
		expect(gone).toMatchObject({ status: 200, body: { tags: ['rankr'] } });
		const again = await call('DELETE', `/contacts/${id}/tags`, { tags: ['vip'] });
		expect(again).toMatchObject({ status: 200, body: { tags: ['rankr'] } });
		expect((await call('DELETE', `/contacts/${id}/tags`, { tags: [] })).body).toEqual({ tags: ['rankr'] });
	});

	test('a missing or malformed body is 422; an unknown contact is the not-found answer; another location 403', async () => {
		const id = await contact();
		expect((await call('POST', `/contacts/${id}/tags`, {})).body).toEqual({
			statusCode: 422,
			message: ['tags should not be empty', 'tags must be an array'],
			error: 'Unprocessable Entity',
		});
		expect((await call('DELETE', `/contacts/${id}/tags`, { tags: ['a', 7] })).body.message).toEqual([
			'each value in tags must be a string',
		]);
		expect((await call('POST', `/contacts/${id}/tags`, { tags: 'vip' })).body.message).toEqual([
			'tags must be an array',
		]);
		expect((await call('POST', '/contacts/AAAAAAAAAAAAAAAAAAAA/tags', { tags: ['vip'] })).body).toEqual({
			statusCode: 400,
			message: 'Contact not found',
		});
		expect((await call('DELETE', '/contacts/AAAAAAAAAAAAAAAAAAAA/tags', { tags: ['vip'] })).body).toEqual({
			statusCode: 400,
			message: 'Contact not found',
		});
		const elsewhere = sandbox.issueToken(API_SCOPES, { locationId: 'otherLocation0000000' });
		expect((await call('POST', `/contacts/${id}/tags`, { tags: ['vip'] }, elsewhere)).status).toBe(403);
		expect(sandbox.contacts.get(id).tags).toEqual([]);
	});
});

describe('control routes', () => {
	test('POST /__sandbox/contacts/seed and /__sandbox/custom-fields, and what they refuse', async () => {
		const control = async (path: string, body: unknown) => {
			const res = await fetch(`${sandbox.url}/__sandbox${path}`, { method: 'POST', body: JSON.stringify(body) });
			return { status: res.status, body: (await res.json()) as Parsed };
		};
		expect(await control('/contacts/seed', { count: 1500 })).toEqual({
			status: 200,
			body: { locationId: sandbox.locationId, seeded: 1500, total: 1500 },
		});
		expect((await control('/contacts/seed', { count: 0 })).status).toBe(400);
		expect((await control('/contacts/seed', { count: 'many' })).body.message).toMatch(/count/);
		const defined = await control('/custom-fields', {
			fields: [
				{ name: 'Favourite Rank', dataType: 'NUMERICAL' },
				{ name: 'Plan', dataType: 'RADIO', options: ['free', 'pro'] },
			],
		});
		expect(defined.status).toBe(200);
		expect(defined.body.customFields).toEqual([
			expect.objectContaining({
				name: 'Favourite Rank',
				fieldKey: 'contact.favourite_rank',
				dataType: 'NUMERICAL',
				model: 'contact',
				position: 0,
				locationId: sandbox.locationId,
			}),
			expect.objectContaining({
				name: 'Plan',
				fieldKey: 'contact.plan',
				dataType: 'RADIO',
				picklistOptions: ['free', 'pro'],
				position: 1,
			}),
		]);
		expect((await control('/custom-fields', { fields: [{ name: 'Plan', dataType: 'TEXT' }] })).body.message).toMatch(
			/already has a custom field/,
		);
		expect((await control('/custom-fields', { fields: [{ name: 'X', dataType: 'COLOUR' }] })).body.message).toMatch(
			/dataType/,
		);
		expect((await control('/custom-fields', { fields: [{ name: 'X', dataType: 'CHECKBOX' }] })).body.message).toMatch(
			/options/,
		);
		sandbox.reset();
		expect(sandbox.contacts.size).toBe(0);
		expect(sandbox.customFields.size).toBe(0);
	});
});
