"""Monthly payroll: exactly one payment per entitlement and month, checked and approved by two
people, exported to the bank and reconciled from its return file."""
