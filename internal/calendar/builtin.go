package calendar

// Builtin returns the holiday arrangements shipped with OneStop (docs/DOMAIN.md §4).
// Each call returns fresh slices, so a caller may edit the result (say, to
// seed the admin's table) without changing what the next caller gets.
func Builtin() []YearData {
	d := MustParseDate
	return []YearData{
		{
			Year:   2025,
			Source: "国办发明电〔2024〕12号",
			Holidays: []Period{
				{"元旦", d("2025-01-01"), d("2025-01-01")},
				{"春节", d("2025-01-28"), d("2025-02-04")},
				{"清明节", d("2025-04-04"), d("2025-04-06")},
				{"劳动节", d("2025-05-01"), d("2025-05-05")},
				{"端午节", d("2025-05-31"), d("2025-06-02")},
				// The 2025 notice merges the two festivals into one block.
				{"国庆节、中秋节", d("2025-10-01"), d("2025-10-08")},
			},
			Workdays: []AdjustedDay{
				{d("2025-01-26"), "春节"},
				{d("2025-02-08"), "春节"},
				{d("2025-04-27"), "劳动节"},
				{d("2025-09-28"), "国庆节、中秋节"},
				{d("2025-10-11"), "国庆节、中秋节"},
			},
		},
		{
			Year: 2026,
			// docs/DOMAIN.md cites this notice by its date only.
			Source: "国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）",
			Holidays: []Period{
				{"元旦", d("2026-01-01"), d("2026-01-03")},
				{"春节", d("2026-02-15"), d("2026-02-23")},
				{"清明节", d("2026-04-04"), d("2026-04-06")},
				{"劳动节", d("2026-05-01"), d("2026-05-05")},
				{"端午节", d("2026-06-19"), d("2026-06-21")},
				{"中秋节", d("2026-09-25"), d("2026-09-27")},
				{"国庆节", d("2026-10-01"), d("2026-10-07")},
			},
			Workdays: []AdjustedDay{
				{d("2026-01-04"), "元旦"},
				{d("2026-02-14"), "春节"},
				{d("2026-02-28"), "春节"},
				{d("2026-05-09"), "劳动节"},
				{d("2026-09-20"), "国庆节"},
				{d("2026-10-10"), "国庆节"},
			},
		},
	}
}
