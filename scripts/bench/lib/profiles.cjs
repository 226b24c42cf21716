'use strict';
// Deterministic, realistic user profiles: the same N profiles for our node, the floor and today's way.
// Every attribute is one the ActivatePro sandbox knows (firstName, lastName, plan, country, score).
// Kept free of closures over module state: profile.toString() is pasted into the Code node of today's way.

function profile(i) {
	const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Dennis', 'Frances', 'Ken', 'Radia', 'Edsger', 'Hedy'];
	const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Turing', 'Liskov', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Dijkstra', 'Lamarr'];
	const PLANS = ['free', 'pro', 'team', 'enterprise'];
	const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NL', 'ES', 'IT', 'PL', 'SE', 'BR'];
	const firstName = FIRST[i % FIRST.length];
	const lastName = LAST[(i * 7) % LAST.length];
	return {
		id: 'bench-' + String(i).padStart(7, '0'),
		email: firstName.toLowerCase() + '.' + lastName.toLowerCase() + '.' + i + '@example.com',
		firstName,
		lastName,
		plan: PLANS[(i * 13) % PLANS.length],
		country: COUNTRIES[(i * 31) % COUNTRIES.length],
		score: (i * 2654435761) % 10000,
	};
}

function profiles(n) {
	const out = new Array(n);
	for (let i = 0; i < n; i++) out[i] = profile(i);
	return out;
}

module.exports = { profile, profiles };
