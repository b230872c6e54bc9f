import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from members.models import CareerField, District, Local, LocalOfficer, Member, UniServRegion, User, Worksite
from members.reference import ensure_career_fields


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            self.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in extracted])


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UniServRegion

    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Region {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n} School District")
    county = "Hinds"
    region = factory.SubFactory(RegionFactory)


class WorksiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worksite

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Site {n} Elementary School")
    kind = Worksite.Kind.ELEMENTARY


class LocalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Local
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Local {n} Association of Educators")

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.add(*extracted)


class LocalOfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalOfficer

    local = factory.SubFactory(LocalFactory)
    user = factory.SubFactory(UserFactory)
    role = LocalOfficer.Role.PRESIDENT


def career_field(slug):
    """A career field by slug, restoring the reference rows if a transactional test flushed them."""
    if not CareerField.objects.filter(slug=slug).exists():
        ensure_career_fields(CareerField)
    return CareerField.objects.get(slug=slug)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = None
    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"member{n}@example.net")
    employer_district = factory.SubFactory(DistrictFactory)
    worksite = factory.LazyAttribute(lambda o: WorksiteFactory(district=o.employer_district))
    job_title = "School bus driver"
    career_field = factory.LazyFunction(lambda: career_field("transportation-services"))
    local = factory.LazyAttribute(lambda o: LocalFactory(districts=[o.employer_district]))
