use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    select! {
        #[inline]
        recv(r) -> msg => println!("{msg:?}"),
    }
}
