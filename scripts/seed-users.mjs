#!/usr/bin/env node
// npm run sandbox:seed: fills the users table that examples/bulk-sync.json reads, for a test run against the
// sandbox before going live. Creates (or empties) `app_users` in the PostgreSQL you name and fills it with N
// generated users inside PostgreSQL (generate_series: 1,000,000 rows in a few seconds, nothing over the wire).
//   npm run sandbox:seed -- --users 1000000 --connection postgres://user:password@127.0.0.1:5432/app
// Needs psql (Debian: postgresql-client); the password can come from PGPASSWORD instead of the URL.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { seedUsers, SOURCE_TABLE } from './lib/paged-sync.mjs';

const USAGE = `usage: npm run sandbox:seed -- --users N --connection postgres://user[:password]@host[:port]/database
  --users       how many users (e.g. 1000000); the table ${SOURCE_TABLE} is emptied first
  --connection  the database examples/bulk-sync.json's Postgres credential points at (password also from PGPASSWORD)`;

function fail(message) {
	console.error(`${message}\n${USAGE}`);
	process.exit(2);
}

let args;
try {
	args = parseArgs({ options: { users: { type: 'string' }, connection: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } }).values;
} catch (error) {
	fail(error.message);
}
if (args.help) {
	console.log(USAGE);
	process.exit(0);
}
const users = Number(args.users);
if (!Number.isInteger(users) || users < 1 || users > 9_999_999) fail(`--users must be a whole number from 1 to 9,999,999 (ids are sync-0000000…), got "${args.users ?? ''}"`);
let url;
try {
	url = new URL(args.connection ?? '');
} catch {
	fail('--connection must be a URL like postgres://user:password@127.0.0.1:5432/app');
}
if (!/^postgres(ql)?:$/.test(url.protocol) || !url.pathname.slice(1)) fail('--connection must be postgres://…/<database>');

let psqlPath;
try {
	psqlPath = execFileSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' }).trim();
} catch {
	fail('psql was not found: install PostgreSQL\'s client (Debian/Ubuntu: apt-get install postgresql-client)');
}
const db = {
	bindir: path.dirname(psqlPath),
	host: url.hostname || '127.0.0.1',
	port: url.port || '5432',
	user: decodeURIComponent(url.username) || 'postgres',
	password: url.password ? decodeURIComponent(url.password) : (process.env.PGPASSWORD ?? ''),
	database: decodeURIComponent(url.pathname.slice(1)),
};
try {
	const { ms } = await seedUsers(db, users);
	console.log(`${users.toLocaleString('en-US')} users in ${db.database}.${SOURCE_TABLE} (${(ms / 1000).toFixed(1)} s)`);
} catch (error) {
	console.error(error.message);
	process.exit(1);
}
