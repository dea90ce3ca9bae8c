"""The assistance programs, one module each (DESIGN.md §3), and the code lists they use.

- ``household`` — who is in the household (共同生活的家庭成员), counted income, deductions, assets;
- ``household_inputs`` — the inputs those rules read, and the cross-field rules checked on entry;
- ``dibao`` — 最低生活保障; ``near_dibao`` — 低保边缘家庭; ``single_person_unit`` — 单人户;
- ``tekun`` — 特困人员救助供养; ``rigid_expenditure`` — 刚性支出困难家庭.
"""
