"""Reference data for career fields (members.models.CareerField), shared by the data migrations and the test set-up."""

# The nine ESP career fields as NEA names them, then teaching and other roles.
FIELDS = [
    ("clerical-services", "Clerical services", "esp",
     "Keep schools and offices running: records, enrollment, payroll, the front desk.",
     "School secretary, attendance clerk, registrar, bookkeeper, receptionist, data entry clerk"),
    ("custodial-and-maintenance-services", "Custodial and maintenance services", "esp",
     "Keep buildings clean, safe and healthy for students and staff.",
     "Custodian, head custodian, groundskeeper, maintenance worker, warehouse worker"),
    ("food-services", "Food services", "esp",
     "Feed students the meals that help them learn, often the only full meals of their day.",
     "Cafeteria worker, cook, baker, food service manager, nutrition assistant"),
    ("health-and-student-services", "Health and student services", "esp",
     "Care for students' health and well-being so they can be in class and ready to learn.",
     "School nurse (LPN), health aide, interpreter, social work aide, attendance officer"),
    ("paraeducators", "Paraeducators", "esp",
     "Work beside teachers with individual students and small groups, in every kind of classroom.",
     "Teacher assistant, instructional aide, special education paraprofessional, library aide"),
    ("security-services", "Security services", "esp",
     "Keep students and staff safe at school, at events and on campus.",
     "Campus security officer, school resource aide, crossing guard, safety monitor"),
    ("skilled-trades", "Skilled trades", "esp",
     "Build, repair and keep up school buildings, systems and vehicles.",
     "Electrician, plumber, HVAC technician, carpenter, mechanic, painter"),
    ("technical-services", "Technical services", "esp",
     "Run the technology, media and data that schools depend on.",
     "IT technician, network specialist, media technician, data specialist, webmaster"),
    ("transportation-services", "Transportation services", "esp",
     "Bring students to school and home again safely, every day, on every road.",
     "School bus driver, bus monitor, dispatcher, transportation mechanic"),
    ("teaching", "Teaching", "professional",
     "Certified classroom teachers at every grade and subject.", "Classroom teacher, special education teacher"),
    ("licensed-professional", "Other licensed professional", "professional",
     "Licensed staff outside the classroom.", "Counselor, librarian, speech-language pathologist, psychometrist"),
    ("other", "Other role", "other", "Anyone else who works in or for public education.", ""),
]


def ensure_career_fields(CareerField) -> None:
    """Create or refresh the rows; takes the model class so a migration can pass its historical one."""
    for order, (slug, name, kind, summary, jobs) in enumerate(FIELDS, start=1):
        CareerField.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "summary": summary, "example_jobs": jobs, "sort_order": order}
        )
