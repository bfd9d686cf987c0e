import { staffConsole } from "./staff-filing";

/** The reviewer's console (docs/rules.md#consoles), mounted at /console/review: the platform review workbench. */
export const reviewConsole = staffConsole("reviewer");
