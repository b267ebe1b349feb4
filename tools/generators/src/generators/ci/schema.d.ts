export interface CiGeneratorSchema {
  skipFormat?: boolean;
}
