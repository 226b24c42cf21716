// Jest (Email API): Contact → Add Tags / Remove Tags through n8n's engine against the sandbox.
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

async function newContact(email: string): Promise<string> {
	const r = await run({ operation: 'upsert', email, fullName: 'Tag Holder' });
	expect(r.error).toBeUndefined();
	sandbox.clearLog();
	return r.success[0].json.contactId as string;
}

/** The contact's tags as the sandbox holds them, read with Get. */
async function tagsHeld(contactId: string): Promise<string[]> {
	const r = await run({ operation: 'get', contactId });
	return ((r.success[0].json.tags ?? []) as string[]).slice().sort();
}

test('Add Tags sends each tag once; adding them again leaves one of each; Remove Tags removes, and removing again is no error', async () => {
	const contactId = await newContact('tagged@example.com');
	const added = await run({ operation: 'addTags', contactId, tags: 're-engaged, vip , RE-ENGAGED,, ' });
	expect(added.error).toBeUndefined();
	const [sent] = sandbox
		.requests()
		.filter((q: { method: string; path: string }) => q.method === 'POST' && q.path === `/contacts/${contactId}/tags`);
	expect(JSON.parse(sent.rawBody)).toEqual({ tags: ['re-engaged', 'vip'] });
	expect(added.success[0].json).toMatchObject({ contactId, added: ['re-engaged', 'vip'] });
	expect(((added.success[0].json.tags as string[]) ?? []).map((t) => t.toLowerCase()).sort()).toEqual([
		're-engaged',
		'vip',
	]);

	const twice = await run({ operation: 'addTags', contactId, tags: '={{ ["vip", "re-engaged"] }}' });
	expect(twice.error).toBeUndefined();
	expect((await tagsHeld(contactId)).map((t) => t.toLowerCase())).toEqual(['re-engaged', 'vip']);

	const removed = await run({ operation: 'removeTags', contactId, tags: 'vip' });
	expect(removed.error).toBeUndefined();
	expect(removed.success[0].json).toMatchObject({ contactId, removed: ['vip'] });
	const again = await run({ operation: 'removeTags', contactId, tags: 'vip' });
	expect(again.error).toBeUndefined();
	expect((await tagsHeld(contactId)).map((t) => t.toLowerCase())).toEqual(['re-engaged']);
});

test('an unknown contact fails the item naming its ID', async () => {
	const r = await run({ operation: 'addTags', contactId: 'no-such-contact', tags: 'vip' });
	expect(r.error?.message).toBe('No Email API contact has the ID "no-such-contact"');
});

describe('bad tags are refused before anything is sent, each item on its own', () => {
	test.each([
		[
			'10,000 tags from an expression',
			'={{ Array.from({ length: 10000 }, (_, i) => "tag" + i) }}',
			'10000 tags in one item (item 1)',
		],
		['a 1 MB Tags text', '={{ "x".repeat(1000000) }}', 'The tags are 1000000 characters long (item 1)'],
		['one tag of 300 characters', '={{ "y".repeat(300) }}', 'A tag of 300 characters (item 1)'],
		['nothing but commas', ' , ,', 'No tags given (item 1)'],
	])('%s', async (_label, tags, message) => {
		const contactId = await newContact('bad-tags@example.com');
		const r = await run({ operation: 'addTags', contactId, tags });
		expect(r.error?.message).toBe(message);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('with Continue (using error output), the good items are tagged and the bad one is an error item', async () => {
		const contactId = await newContact('mixed@example.com');
		const r = await run(
			{ operation: 'addTags', contactId, tags: '={{ $json.tags }}' },
			[{ tags: 'one' }, { tags: 'z'.repeat(300) }, { tags: 'two' }],
			{ onError: 'continueErrorOutput' },
		);
		expect(r.success.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(r.errors).toHaveLength(1);
		expect(r.errors[0].pairedItem).toEqual({ item: 1 });
		expect(sandbox.requests()).toHaveLength(2);
	});
});
