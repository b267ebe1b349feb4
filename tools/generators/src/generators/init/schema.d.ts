export interface InitGeneratorSchema {
  skipFormat?: boolean;
  /** Replace a file of the user's (Makefile, workflows, jest preset) instead of writing Genesis's beside it. */
  force?: boolean;
  skipInstall?: boolean;
}
