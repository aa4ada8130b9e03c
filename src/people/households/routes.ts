export const registerHouseholdRoutes = (_c: unknown): void => {};
