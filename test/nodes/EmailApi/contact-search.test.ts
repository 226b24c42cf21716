// Jest (Email API): Contact → Search (POST /contacts/search and its searchAfter cursor) and upsert by phone,
// through n8n's engine against the sandbox holding 25,000 contacts.
import { runNode } from '../../../scripts/engine/engine-runner';
import { apiKeyCredentials, expectRequestsMeetDocuments, startEmailApi } from '../../helpers/emailapi-fixture';
import { sandboxPerFile } from '../../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi(), expectRequestsMeetDocuments);

const NODE = 'n8n-nodes-rankr.emailApi';
const run = (
	parameters: Record<string, unknown>,
	items: Array<Record<string, unknown>> = [{}],
	extra: Partial<Parameters<typeof runNode>[0]> = {},
) =>
	runNode({
		type: NODE,
		parameters: { resource: 'contact', ...parameters },
		items,
		credentials: apiKeyCredentials(sandbox),
		...extra,
	});

type Logged = { method: string; path: string; rawBody: string };
const searches = (): Array<Record<string, unknown>> =>
	sandbox
		.requests()
		.filter((q: Logged) => q.method === 'POST' && q.path === '/contacts/search')
		.map((q: Logged) => JSON.parse(q.rawBody));

describe('Contact → Search over 25,000 contacts', () => {
	test('Return All returns every contact once, past 10,000, in ceil(25,000 / 500) = 50 requests that follow searchAfter', async () => {
		sandbox.seedContacts({ count: 25_000 });
		const r = await run({ operation: 'search', returnAll: true });
		expect(r.error).toBeUndefined();
		expect(r.success).toHaveLength(25_000);
		expect(new Set(r.success.map((i) => i.json.id)).size).toBe(25_000);
		const sent = searches();
		expect(sent).toHaveLength(50);
		expect(sent[0]).toMatchObject({ locationId: sandbox.locationId, pageLimit: 500, page: 1 });
		expect(sent[0]).not.toHaveProperty('searchAfter');
		expect(sent.slice(1).every((b) => Array.isArray(b.searchAfter) && !('page' in b))).toBe(true);
		expect(r.success.every((i) => i.pairedItem && (i.pairedItem as { item: number }).item === 0)).toBe(true);
	}, 60_000);

	test('Limit stops as soon as it has enough: 1,200 contacts in requests of 500, 500 and 200', async () => {
		sandbox.seedContacts({ count: 3_000 });
		const r = await run({ operation: 'search', returnAll: false, limit: 1_200 });
		expect(r.success).toHaveLength(1_200);
		expect(searches().map((b) => b.pageLimit)).toEqual([500, 500, 200]);
	});

	test('filters reach HighLevel as its filter list, and only matching contacts come back', async () => {
		sandbox.seedContacts({ count: 300 });
		const r = await run({
			operation: 'search',
			returnAll: true,
			filters: { tag: 'vip', addedAfter: '2000-01-01T00:00:00Z' },
		});
		expect(r.error).toBeUndefined();
		expect(r.success.length).toBeGreaterThan(0);
		expect(r.success.every((i) => (i.json.tags as string[]).includes('vip'))).toBe(true);
		expect(searches()[0].filters).toEqual([
			{ field: 'tags', operator: 'eq', value: 'vip' },
			{ field: 'dateAdded', operator: 'range', value: { gte: '2000-01-01T00:00:00.000Z' } },
		]);
	});

	test('a value HighLevel would refuse (over 75 characters) fails the item before sending, naming the filter', async () => {
		const r = await run({
			operation: 'search',
			returnAll: true,
			filters: { email: `${'a'.repeat(1_000_000)}@example.com` },
		});
		expect(r.error?.message).toBe('"Email" is 1000012 characters long (item 1)');
		expect(sandbox.requests()).toHaveLength(0);
		const half = await run({ operation: 'search', returnAll: true, filters: { customFieldId: 'abc' } });
		expect(half.error?.message).toBe('A custom field filter needs both the field and a value (item 1)');
		expect(sandbox.requests()).toHaveLength(0);
	});
});

describe('Contact → Create or Update by phone alone', () => {
	test('no email: the contact is created, and the same phone again updates that contact', async () => {
		const phone = '+14155550123';
		const first = await run({ operation: 'upsert', email: '', fullName: 'Phone Only', additionalFields: { phone } });
		expect(first.error).toBeUndefined();
		expect(first.success[0].json).toMatchObject({ new: true, phone });
		const again = await run({
			operation: 'upsert',
			email: '',
			fullName: 'Phone Only Again',
			additionalFields: { phone },
		});
		expect(again.error).toBeUndefined();
		expect(again.success[0].json).toMatchObject({ contactId: first.success[0].json.contactId, new: false });
		expect(JSON.parse(sandbox.requests().at(-1).rawBody)).not.toHaveProperty('email');
	});
});

test('a custom field filter takes the field by key or name: the search names it by ID', async () => {
	const [plan] = sandbox.defineCustomFields({ fields: [{ name: 'Plan', dataType: 'SINGLE_OPTIONS', options: ['Free', 'Pro'], fieldKey: 'contact.plan' }] });
	for (const [email, value] of [['pro@example.com', 'Pro'], ['free@example.com', 'Free']]) {
		const made = await run({ operation: 'upsert', email, customFields: { field: [{ field: { __rl: true, mode: 'key', value: 'contact.plan' }, value }] } });
		expect(made.error).toBeUndefined();
	}
	for (const given of ['contact.plan', 'Plan', plan.id]) {
		sandbox.clearLog();
		const r = await run({ operation: 'search', returnAll: true, filters: { customFieldId: given, customFieldValue: 'Pro' } });
		expect(r.error).toBeUndefined();
		expect(r.success.map((i) => i.json.email)).toEqual(['pro@example.com']);
		expect(searches()[0].filters).toEqual([{ field: `customFields.${plan.id}`, operator: 'eq', value: 'Pro' }]);
	}
	const unknown = await run({ operation: 'search', returnAll: true, filters: { customFieldId: 'shoe size', customFieldValue: '42' } });
	expect(unknown.error?.message).toBe('No contact custom field "shoe size" in this location (item 1)');
});
