export interface ServiceGeneratorSchema {
  name: string;
  skipFormat?: boolean;
  skipInstall?: boolean;
}
