// The Contoso seed tenant as the Playground sees it: fixed ids shared with the simulated tenant
// (see the brief's seed table). Only the people the Playground instances need are listed here.

export const TENANT_ID = '7a2d4c1e-5b3f-4e6a-9c8d-0e1f2a3b4c5d';

const seedUser = (nn, givenName, surname, upn) => {
  const aadObjectId = `a0000000-0000-4000-8000-0000000000${nn}`;
  return {
    // Teams user MRI: stable across instances, so one person has one id whichever instance they use.
    id: `29:${aadObjectId}`,
    name: `${givenName} ${surname}`,
    userPrincipleName: upn, // spelled so in the Playground config schema
    aadObjectId,
    givenName,
    surname,
    email: upn,
  };
};

export const SEED_USERS = {
  megan: seedUser('01', 'Megan', 'Bowen', 'megan.bowen@contoso.com'),
  nestor: seedUser('02', 'Nestor', 'Wilke', 'nestor.wilke@contoso.com'),
  adele: seedUser('03', 'Adele', 'Vance', 'adele.vance@contoso.com'),
  alex: seedUser('04', 'Alex', 'Wilber', 'alex.wilber@contoso.com'),
  patti: seedUser('05', 'Patti', 'Fernandez', 'patti.fernandez@contoso.com'),
  lee: seedUser('06', 'Lee', 'Gu', 'lee.gu@contoso.com'),
  henrietta: seedUser('20', 'Henrietta', 'Mueller', 'henrietta.mueller@contoso.com'),
};

// One Playground instance per persona; the port is E2E_PORT_BASE (default 56150) + offset.
export const PERSONAS = [
  { key: 'megan', role: 'manager', offset: 0 },
  { key: 'adele', role: 'TAP approver', offset: 1 },
  { key: 'alex', role: 'TAP approver', offset: 2 },
  { key: 'patti', role: 'policy admin', offset: 3 },
  { key: 'lee', role: 'policy admin', offset: 4 },
  { key: 'henrietta', role: 'onboarding lead', offset: 5 },
].map((p) => ({ ...p, user: SEED_USERS[p.key] }));

// The Playground wants exactly 5 other users besides the current one: the five other personas, so
// every instance shows the same cast. Nestor Wilke (the second manager) would make up a shortfall.
export const FILL_USERS = ['nestor'];

export function persona(key) {
  const p = PERSONAS.find((x) => x.key === key);
  if (!p) throw new Error(`unknown persona "${key}" (known: ${PERSONAS.map((x) => x.key).join(', ')})`);
  return p;
}
