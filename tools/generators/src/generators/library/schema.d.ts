export interface LibraryGeneratorSchema {
  name: string;
  skipFormat?: boolean;
  skipInstall?: boolean;
}
