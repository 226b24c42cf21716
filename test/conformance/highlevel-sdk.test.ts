// The Email API sandbox driven by HighLevel's official Node SDK (@gohighlevel/api-client, pinned), with the SDK's
// own defaults (Version 2023-02-21): the calls that work against HighLevel must work against the sandbox. WIP of
// issue 29: users so far; contacts, workflows, course import, the webhook verifier and OAuth are next.
import { HighLevel } from '@gohighlevel/api-client';

import { PIT, startEmailApi } from '../helpers/emailapi';
import { sandboxPerFile } from '../helpers/perFile';

const sandbox = sandboxPerFile(() => startEmailApi());
/** A made-up sign-in for the sandbox's user create (which requires one). */
const ADA_SIGN_IN = 'ada-lovelace-1815-xq';

/** The SDK as a user makes it, with only its base URL pointed at the sandbox. */
function client() {
	const ghl = new HighLevel({ privateIntegrationToken: PIT, logLevel: 'error' });
	ghl.getHttpClient().defaults.baseURL = sandbox.url!;
	return ghl;
}

describe("HighLevel's SDK against the sandbox, with the SDK's defaults", () => {
	test('users: create, get, update, list by location, delete', async () => {
		const ghl = client();
		const created = await ghl.users.createUser({
			companyId: sandbox.companyId,
			firstName: 'Ada',
			lastName: 'Lovelace',
			email: 'ada@example.com',
			password: ADA_SIGN_IN,
			type: 'account',
			role: 'user',
			locationIds: [sandbox.locationId],
		});
		expect(created).toMatchObject({ email: 'ada@example.com', firstName: 'Ada' });
		const id = (created as { id: string }).id;
		expect(await ghl.users.getUser({ userId: id })).toMatchObject({ id, email: 'ada@example.com' });
		expect(await ghl.users.updateUser({ userId: id }, { firstName: 'Augusta' })).toMatchObject({ id, firstName: 'Augusta' });
		const listed = (await ghl.users.getUserByLocation({ locationId: sandbox.locationId })) as { users: Array<{ id: string }> };
		expect(listed.users.map((u) => u.id)).toContain(id);
		expect(await ghl.users.deleteUser({ userId: id })).toMatchObject({ succeded: true });
		expect(sandbox.users.get(id)?.deleted).toBe(true); // HighLevel keeps deleted users, marked
		await expect(ghl.users.getUser({ userId: id })).rejects.toThrow();
		// What the SDK sent: its default Version on every call, accepted as HighLevel accepts it.
		expect(new Set(sandbox.requests().map((r: { headers: Record<string, string> }) => r.headers.version))).toEqual(new Set(['2023-02-21']));
	});
});
