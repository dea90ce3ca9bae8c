"""工作日历: statutory deadlines counted in working days with the Chinese holiday calendar.

The table stores only the days that differ from the ordinary Monday–Friday rule (法定节假日 on
weekdays, 调休 make-up working weekends) and the years it covers. It is seeded from the
``chinesecalendar`` package (``seed.py``, ``jiuzhu-web seed_calendar``) and extended by an
administrator when the State Council publishes a new year's arrangement. Computations live in
``working_days.py``.
"""
